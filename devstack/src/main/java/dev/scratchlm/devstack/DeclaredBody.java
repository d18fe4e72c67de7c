package dev.scratchlm.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * For tests: a POST that declares a body of {@code contentLength} bytes but sends none, to see how a service
 * refuses a body too large to be worth uploading (it must answer from the headers alone).
 */
public final class DeclaredBody {
    private DeclaredBody() {}

    public record Reply(int status, String contentType, String body) {}

    public static Reply post(URL base, String path, long contentLength, String contentType) throws IOException {
        int port = base.getPort() > 0 ? base.getPort() : 80;
        try (Socket socket = new Socket(base.getHost(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + port + "\r\nContent-Type: "
                            + contentType + "\r\nContent-Length: " + contentLength + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String type = "";
            int length = -1;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) type = line.substring(13).trim();
                if (lower.startsWith("content-length:"))
                    length = Integer.parseInt(line.substring(15).trim());
            }
            byte[] body = length >= 0 ? in.readNBytes(length) : new byte[0];
            return new Reply(status, type, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before the response headers ended: " + head);
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
