package dev.scratchlm.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PiiScrubTest {
    static Doc scrub(String text) {
        Doc d = new Doc(0, "u", "text/plain", text, text.length());
        assertThat(new PiiScrub().apply(d, NormalizeTest.ANY)).isNull();
        return d;
    }

    @Test
    void replacesEmailsIpsAndPhonesAndCountsThem() {
        Doc d = scrub("Write to jane.doe+news@example.co.uk or bob@mail.example.org. "
                + "The server at 192.168.10.254 answered; call +44 20 7946 0958 or (555) 123-4567 or 555-987-6543. "
                + "IPv6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 too.");
        assertThat(d.text)
                .isEqualTo(
                        "Write to <EMAIL> or <EMAIL>. The server at <IP> answered; call <PHONE> or <PHONE> or <PHONE>. "
                                + "IPv6 <IP> too.");
        assertThat(d.piiReplaced)
                .containsEntry("email", 2)
                .containsEntry("ip", 2)
                .containsEntry("phone", 3);
    }

    @Test
    void theIdIsTheHashOfTheScrubbedTextSoItCannotConfirmAGuess() {
        Doc d = new Doc(0, "u", "text/plain", "Mail jane@example.org today.", 28);
        d.id = Normalize.sha256(d.text);
        new PiiScrub().apply(d, NormalizeTest.ANY);
        assertThat(d.id)
                .isEqualTo(Normalize.sha256("Mail <EMAIL> today."))
                .isNotEqualTo(Normalize.sha256("Mail jane@example.org today."));
    }

    @Test
    void leavesYearsAmountsVersionsAndArticleNumbersAlone() {
        String prose = "In 2004 the budget was 1 234 567 euros (article 12.3.4, version 1.2.3, period 2000-2006, "
                + "vote 12-3-1999, total 123456789).";
        Doc d = scrub(prose);
        assertThat(d.text).isEqualTo(prose);
        assertThat(d.piiReplaced).isEmpty();
    }
}
