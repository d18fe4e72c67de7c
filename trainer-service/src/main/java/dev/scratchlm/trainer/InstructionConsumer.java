package dev.scratchlm.trainer;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.service.ConsumerLoop;
import dev.scratchlm.service.ConsumerLoop.Poison;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** instructions → the instruction table, on service-common's {@link ConsumerLoop}: the offset is committed only after the row is stored. */
final class InstructionConsumer implements ConsumerLoop.RecordHandler {
    private static final List<String> FORMATS = List.of("openai", "alpaca", "sharegpt", "e2e", "identity");
    private final InstructionRepository instructions;

    private InstructionConsumer(InstructionRepository instructions) {
        this.instructions = instructions;
    }

    static ConsumerLoop loop(String bootstrapServers, String group, InstructionRepository instructions) {
        return ConsumerLoop.builder(
                        "trainer-consumer-" + Topics.INSTRUCTIONS, bootstrapServers, group, Topics.INSTRUCTIONS)
                .records(new InstructionConsumer(instructions))
                .build();
    }

    @Override
    public String handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) throw new Poison("empty record");
        InstructionExample e;
        try {
            e = Json.read(record.value(), InstructionExample.class);
        } catch (UncheckedIOException ex) {
            throw new Poison(ex.getMessage());
        }
        String problem = problem(e);
        if (problem != null) throw new Poison("instruction example " + e.id() + ": " + problem);
        return instructions.insert(e) ? "stored" : "duplicate";
    }

    /** What makes an example unusable for training, or null. Importers validate more; this guards the table. */
    static String problem(InstructionExample e) {
        if (e.schema() != InstructionExample.SCHEMA)
            return "schema " + e.schema() + ", expected " + InstructionExample.SCHEMA;
        if (e.id() == null || e.id().isBlank()) return "no id";
        if (e.dataset() == null || e.dataset().isBlank()) return "no dataset";
        if (!FORMATS.contains(e.format())) return "format '" + e.format() + "' is not one of " + FORMATS;
        if (!InstructionExample.TRAIN.equals(e.split()) && !InstructionExample.HELDOUT.equals(e.split())) {
            return "split '" + e.split() + "' is neither train nor heldout";
        }
        if (e.messages() == null || e.messages().isEmpty()) return "no messages";
        if (e.messages().stream().noneMatch(m -> m != null && m.role() == ChatMessage.Role.ASSISTANT))
            return "no assistant turn";
        return null;
    }
}
