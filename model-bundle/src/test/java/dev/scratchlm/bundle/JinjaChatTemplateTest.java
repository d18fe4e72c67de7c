package dev.scratchlm.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.ChatTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported Jinja chat_template, rendered by Jinja itself as Hugging Face's apply_chat_template does, gives the
 * very text and token ids our own {@link ChatTemplate} builds for the same conversation. Skipped without a python3
 * that imports jinja2; under CI that fails instead (scripts/install-test-deps.sh installs Debian's python3-jinja2).
 */
class JinjaChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jinjaRendersWhatTheChatTemplateBuilds(@TempDir Path dir) throws Exception {
        ModelBundleTest.trainTokenizerAndModel();
        ModelBundle.write(ModelBundleTest.checkpoint, "ckpt-1", ModelBundleTest.tokenizer, null, dir);
        ChatTemplate ours = new ChatTemplate(ModelBundleTest.tokenizer);
        List<List<ChatMessage>> conversations = List.of(
                List.of(ChatMessage.user("Describe this restaurant: name[The Vaults], eatType[pub]")),
                List.of(
                        ChatMessage.system("You are a helpful assistant.\nAnswer briefly."),
                                ChatMessage.user("Hi there!"),
                        ChatMessage.assistant("Hello. How can I help?"),
                                ChatMessage.user("  Numbers: 94569 + 32458 = ?\n")));
        for (List<ChatMessage> conversation : conversations) {
            List<Map<String, String>> messages = new ArrayList<>();
            for (ChatMessage m : conversation)
                messages.add(
                        Map.of("role", m.role().name().toLowerCase(java.util.Locale.ROOT), "content", m.content()));
            String jinja = JSON.readValue(render(dir, JSON.writeValueAsString(messages)), String.class);
            int[] ids = ours.renderPrompt(conversation);
            assertEquals(ModelBundleTest.tokenizer.decodeToString(ids), jinja);
            // Hugging Face tokenizes the rendered text with special tokens recognised: the same ids.
            assertArrayEquals(ids, ModelBundleTest.tokenizer.encode(jinja));
        }
    }

    private static String render(Path bundle, String messages) throws Exception {
        String python = null;
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import jinja2")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (p.waitFor() == 0) {
                    python = candidate;
                    break;
                }
            } catch (java.io.IOException e) {
                // not installed under that name
            }
        }
        String why = "no python3 with jinja2: run scripts/install-test-deps.sh (Debian's python3-jinja2)";
        if (python == null && "true".equals(System.getenv("CI"))) fail(why);
        assumeTrue(python != null, why);
        Process p = new ProcessBuilder(
                        python,
                        Path.of("src/test/python/apply_chat_template.py")
                                .toAbsolutePath()
                                .toString(),
                        bundle.toString(),
                        messages)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) fail("apply_chat_template.py failed: " + out);
        return out.trim();
    }
}
