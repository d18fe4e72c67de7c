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

    public static final String ENGLISH_3 = """
            The lighthouse keeper wrote a short letter every evening, describing the ships that had passed the rocks.
            Most letters were never sent, because the supply boat came only twice a month and the sea was often rough.
            Years later a grandson found the letters in a tin box and read them aloud to the whole family at dinner.
            They laughed at the complaints about the cold, and they were quiet when he read about the great storm.
            """;

    public static final String SPANISH = """
            El río atraviesa el casco antiguo y pasa junto al molino, donde los niños miraban girar la rueda.
            En primavera el agua sube deprisa y los campesinos del valle llevan sus animales a prados más altos.
            Cada año el ayuntamiento habla de un puente nuevo, pero el dinero siempre se necesita para otra cosa.
            En verano llegan visitantes para pasear por la orilla, comer en los pequeños cafés y fotografiar el molino.
            """;

    public static final String ENGLISH_4 = """
            Our choir meets on Thursday nights in the school hall, after the cleaners have stacked the chairs against the wall.
            Nobody auditions; the director simply asks each newcomer to stand beside someone who already knows the tune.
            Before the winter concert we practise twice a week, and the tenors always complain that their part is too high.
            On the night itself the hall is warm, the parents are proud, and the small mistakes are quickly forgiven.
            """;

    public static final String ENGLISH_5 = """
            Repairing an old bicycle starts with patience: every bolt is rusted, and every cable seems to be the wrong length.
            The chain needs a bath in oil, the brakes need new pads, and the tyres have usually cracked in the sun.
            Once the wheels spin freely again, the first ride around the block feels like a small victory over time.
            Neighbours stop to ask where the bike came from, and a few of them bring out their own forgotten machines.
            """;
}
