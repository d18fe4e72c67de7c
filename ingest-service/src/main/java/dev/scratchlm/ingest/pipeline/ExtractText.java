package dev.scratchlm.ingest.pipeline;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/** HTML to text with jsoup: visible text only, one line per block element, the page title kept as provenance. */
public final class ExtractText implements Step {
    // Elements whose text is never content: code, styling, navigation chrome and embedded media.
    private static final String INVISIBLE = "script, style, noscript, template, svg, canvas, iframe, object, nav";
    private static final Set<String> BLOCKS = Set.of(
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "dl",
            "dt",
            "dd",
            "tr",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "section",
            "article",
            "header",
            "footer",
            "aside",
            "main",
            "blockquote",
            "pre",
            "hr",
            "form",
            "fieldset",
            "figure",
            "figcaption",
            "address",
            "td",
            "th");

    @Override
    public String name() {
        return "extract";
    }

    @Override
    public String description() {
        return "HTML to visible text with jsoup (scripts, styles and navigation dropped; one line per block)";
    }

    @Override
    public Rejection apply(Doc doc, SourcePolicy policy) {
        if (!"text/html".equals(doc.contentType)) return null;
        org.jsoup.nodes.Document html = Jsoup.parse(doc.text);
        if (doc.title == null || doc.title.isBlank()) {
            String title = html.title().strip();
            if (!title.isEmpty()) doc.title = title;
        }
        html.select(INVISIBLE).remove();
        doc.text = visibleText(html.body());
        doc.textChanged();
        return null;
    }

    static String visibleText(Element root) {
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(
                new NodeVisitor() {
                    int pre; // inside <pre>, source line breaks are content

                    @Override
                    public void head(Node node, int depth) {
                        if (node instanceof TextNode t) {
                            String s = t.getWholeText();
                            if (t.isBlank() && atLineStart()) return; // indentation between blocks
                            // Elsewhere a source line break is just a space: the layout comes from the blocks.
                            out.append(pre > 0 ? s : s.replace('\n', ' ').replace('\r', ' '));
                        } else if (node instanceof Element e) {
                            if (e.normalName().equals("pre")) pre++;
                            if (BLOCKS.contains(e.normalName())) newline();
                        }
                    }

                    @Override
                    public void tail(Node node, int depth) {
                        if (node instanceof Element e) {
                            if (e.normalName().equals("pre")) pre--;
                            if (BLOCKS.contains(e.normalName())) newline();
                        }
                    }

                    private boolean atLineStart() {
                        return out.length() == 0 || out.charAt(out.length() - 1) == '\n';
                    }

                    private void newline() {
                        if (!atLineStart()) out.append('\n'); // one line break per block boundary, however deep
                    }
                },
                root);
        return out.toString();
    }
}
