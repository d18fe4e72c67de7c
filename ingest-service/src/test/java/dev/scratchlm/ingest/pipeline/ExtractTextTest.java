package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExtractTextTest {
    @Test
    void keepsVisibleTextOneBlockPerLineAndTheTitle() {
        String html = """
                <html><head><title> The Mill </title><style>p { color: red }</style></head>
                <body><nav>Home | About</nav><script>var x = 1;</script>
                <h1>Mill news</h1><p>The wheel
                turns <b>again</b>.</p><ul><li>One.</li><li>Two.</li></ul></body></html>""";
        Doc d = new Doc(0, "u", "text/html", html, html.length());
        assertThat(new ExtractText().apply(d, NormalizeTest.ANY)).isNull();
        new Normalize().apply(d, NormalizeTest.ANY);
        assertThat(d.title).isEqualTo("The Mill");
        assertThat(d.text).isEqualTo("Mill news\nThe wheel turns again.\nOne.\nTwo.");
        assertThat(d.text).doesNotContain("var x", "color", "Home");
    }

    @Test
    void leavesPlainTextAlone() {
        Doc d = new Doc(0, "u", "text/plain", "<b>not html</b>", 15);
        new ExtractText().apply(d, NormalizeTest.ANY);
        assertThat(d.text).isEqualTo("<b>not html</b>");
    }
}
