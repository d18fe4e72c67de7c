package dev.scratchlm.ingest;

import dev.scratchlm.ingest.catalog.CatalogRepository;
import dev.scratchlm.ingest.instructions.InstructionCatalog;
import dev.scratchlm.ingest.instructions.InstructionPublisher;
import dev.scratchlm.ingest.instructions.TokenizerLookup;
import dev.scratchlm.ingest.pipeline.Pipeline;
import dev.scratchlm.ingest.pipeline.PipelineSettings;
import dev.scratchlm.ingest.pipeline.StepCounts;
import dev.scratchlm.ingest.plan.SourcePlanner;
import dev.scratchlm.ingest.source.ReadLimits;
import dev.scratchlm.ingest.source.Readers;
import dev.scratchlm.ingest.worker.TaskProcessor;
import dev.scratchlm.ingest.worker.TaskPublisher;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the plain classes (pipeline, catalog, planner, publisher) from configuration: singletons, no proxies. */
@ApplicationScoped
public class IngestBeans {

    /** Time spent in the catalog transaction (exact + near dedup, records, done marker) and in publishing. */
    public record Stages(StepCounts catalog, StepCounts publish) {}

    @Produces
    @Singleton
    Pipeline pipeline(IngestConfig c) {
        return Pipeline.standard(settings(c));
    }

    static PipelineSettings settings(IngestConfig c) {
        var q = c.quality();
        return new PipelineSettings(
                c.language().detect(),
                c.language().sampleChars(),
                c.language().lowAccuracy(),
                c.language().fastMargin(),
                q.minWords(),
                q.maxWords(),
                q.minMeanWordLength(),
                q.maxMeanWordLength(),
                q.maxSymbolWordRatio(),
                q.minPunctuatedLineShare(),
                q.maxDuplicateLineShare(),
                c.minhash().bands(),
                c.minhash().rows(),
                c.minhash().seed());
    }

    @Produces
    @Singleton
    CatalogRepository catalog(AgroalDataSource dataSource, IngestConfig c) {
        return new CatalogRepository(dataSource, c.schema());
    }

    @Produces
    @Singleton
    ReadLimits readLimits(IngestConfig c) {
        return new ReadLimits(c.maxDocumentBytes(), c.maxDecompressedBytes(), c.maxCompressionRatio());
    }

    @Produces
    @Singleton
    TaskProcessor processor(ReadLimits limits, CatalogRepository catalog, Pipeline pipeline) {
        return new TaskProcessor(new Readers(limits, catalog), pipeline);
    }

    @Produces
    @Singleton
    Stages stages() {
        return new Stages(
                new StepCounts(
                        "catalog",
                        "PostgreSQL: exact dedup (texts primary key), near dedup (MinHash bands), records, done marker"),
                new StepCounts("publish", "Kafka transaction: documents, rejections and the task offset"));
    }

    @Produces
    @Singleton
    TaskPublisher taskPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, IngestConfig c) {
        return new TaskPublisher(bootstrap, c.workers().tasksTopic());
    }

    void closePublisher(@Disposes TaskPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    SourcePlanner planner(
            IngestConfig c, ReadLimits limits, CatalogRepository catalog, TaskPublisher publisher, Pipeline pipeline) {
        LocalDate cutoff = c.cutoff().isBlank() || c.cutoff().equalsIgnoreCase("none")
                ? null
                : LocalDate.parse(c.cutoff().strip());
        List<Path> dirs = c.allowedDirs().stream()
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d.strip()))
                .toList();
        var detectable = new HashSet<>(pipeline.languageId().candidates());
        for (String l : c.languages()) {
            if (!detectable.contains(l))
                throw new IllegalArgumentException(
                        "ingest.languages has '" + l + "', which ingest.language.detect lacks");
        }
        return new SourcePlanner(
                new SourcePlanner.Defaults(
                        cutoff,
                        c.undated(),
                        List.copyOf(c.languages()),
                        detectable,
                        c.taskRecords(),
                        dirs,
                        c.planWait()),
                limits,
                catalog,
                publisher);
    }

    @Produces
    @Singleton
    InstructionCatalog instructionCatalog(AgroalDataSource dataSource, IngestConfig c) {
        return new InstructionCatalog(dataSource, c.schema());
    }

    @Produces
    @Singleton
    InstructionPublisher instructionPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        return new InstructionPublisher(bootstrap);
    }

    void closeInstructionPublisher(@Disposes InstructionPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    TokenizerLookup tokenizerLookup(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        return new TokenizerLookup(bootstrap);
    }

    void closePlanner(@Disposes SourcePlanner planner) {
        planner.close();
    }
}
