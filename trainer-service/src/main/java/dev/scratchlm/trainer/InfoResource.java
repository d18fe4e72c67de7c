package dev.scratchlm.trainer;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/** The assumptions behind the dashboard's numbers: peak FLOP/s for MFU, the memory a job may use, threads. */
@Path("/api/info")
@Produces(MediaType.APPLICATION_JSON)
public class InfoResource {
    @Inject
    TrainerService trainer;

    @GET
    public Map<String, Object> info() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("peakGflops", trainer.peakGflops());
        v.put(
                "peakAssumption",
                "cores x clock x " + MachinePeak.FLOPS_PER_CYCLE
                        + " FLOP/cycle (two 512-bit FMA pipes x 16 float lanes x 2); override with scratchlm.trainer.peak-gflops");
        v.put("cores", Runtime.getRuntime().availableProcessors());
        v.put("threads", trainer.threads());
        v.put("jobMemoryBytes", trainer.memory().availableBytes());
        v.put("currentJob", trainer.runner().currentJob());
        return v;
    }
}
