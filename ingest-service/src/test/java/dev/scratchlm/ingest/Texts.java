package dev.scratchlm.ingest;

/** Prose samples that pass every quality rule (50+ words, punctuated lines), in a few languages. */
public final class Texts {
    private Texts() {}

    public static final String ENGLISH = """
            The river runs through the old town and past the mill, where the children used to watch the wheel turn.
            In the spring the water rises quickly, and the farmers along the valley move their animals to higher fields.
            Every year the town council discusses a new bridge, but the money is always needed for something else.
            Visitors come in the summer to walk along the banks, to eat in the small cafés and to photograph the mill.
            """;

    public static final String ENGLISH_2 = """
            A good bread needs only flour, water, salt and time, yet most bakers spend years learning to judge the dough.
            The temperature of the kitchen changes how fast the yeast works, so the same recipe behaves differently in winter.
            Some bakers keep a notebook of every batch, writing down the weather, the rise and the colour of the crust.
            Over many seasons those notes become a quiet record of patience, small mistakes and slow improvement.
            """;

    public static final String GERMAN = """
            Der Fluss fließt durch die alte Stadt und an der Mühle vorbei, wo die Kinder früher dem Rad zusahen.
            Im Frühling steigt das Wasser schnell, und die Bauern im Tal bringen ihre Tiere auf höher gelegene Weiden.
            Jedes Jahr berät der Stadtrat über eine neue Brücke, aber das Geld wird immer für etwas anderes gebraucht.
            Im Sommer kommen Besucher, um am Ufer entlangzugehen, in den kleinen Cafés zu essen und die Mühle zu fotografieren.
            """;

    public static final String FRENCH = """
            La rivière traverse la vieille ville et passe devant le moulin, où les enfants regardaient autrefois tourner la roue.
            Au printemps, l'eau monte rapidement et les agriculteurs de la vallée conduisent leurs bêtes vers des prés plus hauts.
            Chaque année, le conseil municipal parle d'un nouveau pont, mais l'argent sert toujours à autre chose.
            En été, les visiteurs viennent se promener le long des berges, manger dans les petits cafés et photographier le moulin.
            """;
}
