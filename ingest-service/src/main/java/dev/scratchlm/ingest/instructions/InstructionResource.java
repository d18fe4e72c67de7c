package dev.scratchlm.ingest.instructions;

import dev.scratchlm.bpe.ChatTemplate;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.ingest.IngestConfig;
import dev.scratchlm.instruct.InstructionImport;
import dev.scratchlm.service.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;

/**
 * Instruction sets in: {@code POST /api/instructions?dataset=NAME&format=e2e|openai|alpaca|sharegpt[&tokenizer=ID&context=N]}
 * with the file as the body. Accepted examples are on the {@code instructions} topic before the answer; the catalog
 * keeps counts by dataset, format, split and rejection reason ({@code GET /api/instructions}).
 */
@Path("/api/instructions")
@Produces(MediaType.APPLICATION_JSON)
public class InstructionResource {
    /** Rejections listed in an import's answer; the catalog keeps them all. */
    static final int LISTED_REJECTIONS = 100;

    @Inject
    InstructionCatalog catalog;

    @Inject
    InstructionPublisher publisher;

    @Inject
    TokenizerLookup tokenizers;

    @Inject
    IngestConfig config;

    /** Not text/plain or forms: a cross-site browser could send those without asking first. */
    @POST
    @Consumes({
        MediaType.APPLICATION_JSON,
        "application/jsonl",
        "application/x-ndjson",
        "application/json-lines",
        "text/csv",
        MediaType.APPLICATION_OCTET_STREAM
    })
    public Response importSet(
            InputStream body,
            @QueryParam("dataset") String dataset,
            @QueryParam("format") String format,
            @QueryParam("tokenizer") String tokenizerId,
            @QueryParam("context") Integer context)
            throws IOException {
        if (dataset == null || format == null) {
            throw new ApiError(
                    400, "missing_parameter", "dataset and format are required, e.g. ?dataset=e2e&format=e2e");
        }
        if ((tokenizerId == null) != (context == null)) {
            throw new ApiError(
                    400,
                    "missing_parameter",
                    "tokenizer and context go together: the tokenizer counts tokens, "
                            + "the context says how many fit");
        }
        if (context != null && context <= 0) {
            throw new ApiError(400, "bad_context", "context must be a positive number of tokens, got " + context);
        }
        long max = config.instructions().maxBytes();
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
            throw new ApiError(413, "body_too_large", "an instruction file may have at most " + max + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ApiError(400, "not_utf8", "the file must be UTF-8 text");
        }
        ChatTemplate template = null;
        if (tokenizerId != null) {
            Optional<Tokenizer> tokenizer = tokenizers.find(tokenizerId);
            if (tokenizer.isEmpty()) {
                throw new ApiError(
                        404, "unknown_tokenizer", "no tokenizer " + tokenizerId + " on the tokenizers topic");
            }
            try {
                template = new ChatTemplate(tokenizer.get());
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "tokenizer_without_chat_tokens", e.getMessage());
            }
        }
        InstructionImport.Result result;
        try {
            result = new InstructionImport(template, context == null ? 0 : context).read(dataset, format, text);
        } catch (InstructionImport.BadFileException e) {
            throw new ApiError(400, "bad_instruction_file", e.getMessage());
        }
        String importId = importId(dataset, result.format(), tokenizerId, context, bytes);
        InstructionCatalog.Imported done;
        try {
            done = catalog.record(importId, result, bytes.length, tokenizerId, context, publisher::publish);
        } catch (KafkaException e) {
            throw new ApiError(
                    503, "broker_unavailable", "the broker is unavailable; nothing was imported: send the file again");
        }

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("importId", done.id());
        answer.put("dataset", done.dataset());
        answer.put("format", done.format());
        answer.put("created", done.created());
        answer.put("accepted", done.accepted());
        answer.put("published", done.created() ? done.newExamples() : 0);
        answer.put("alreadyKnown", done.accepted() - (done.created() ? done.newExamples() : done.accepted()));
        Map<String, Long> splits = new LinkedHashMap<>();
        result.accepted().forEach(e -> splits.merge(e.split(), 1L, Long::sum));
        answer.put("splits", splits);
        answer.put("rejected", done.rejected());
        answer.put("rejectedByReason", result.rejectedByReason());
        answer.put("rejections", catalog.rejectionsOf(done.id(), LISTED_REJECTIONS));
        answer.put("lengthChecked", result.lengthChecked());
        return Response.status(done.created() ? 201 : 200).entity(answer).build();
    }

    /** The catalog: examples by dataset, format and split; rejections by reason; the latest imports. */
    @GET
    public Map<String, Object> catalog() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("examples", catalog.splits());
        out.put("rejections", catalog.rejections());
        out.put("imports", catalog.imports());
        return out;
    }

    static String importId(String dataset, String format, String tokenizerId, Integer context, byte[] body) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(dataset, format, String.valueOf(tokenizerId), String.valueOf(context))) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            d.update(body);
            return HexFormat.of().formatHex(d.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
