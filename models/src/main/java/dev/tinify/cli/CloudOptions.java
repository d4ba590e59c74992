package dev.tinify.cli;

import dev.tinify.runtime.pointcloud.PointCloud;
import picocli.CommandLine.Option;

/** The point-cloud options of encode, decode and eval: how an OFF mesh is sampled, and the peak of the PSNRs. */
final class CloudOptions {
    @Option(names = "--points", paramLabel = "N",
            description = "Point clouds: points sampled on an OFF mesh (default: the model's num_points, else 2048).")
    int points;

    @Option(names = "--seed", paramLabel = "S", description = "Point clouds: seed of the sampling of OFF meshes (default 0).")
    long seed;

    @Option(names = "--peak", paramLabel = "P",
            description = "Point clouds: the peak of D1/D2 PSNR (pc_error's resolution; default: the longest side of the "
                    + "reference's bounding box).")
    double peak;

    PointCloudCli.Options options() {
        if (points < 0 || points > PointCloud.MAX_POINTS) {
            throw new IllegalArgumentException("--points must be 1.." + PointCloud.MAX_POINTS + ", got " + points);
        }
        if (peak < 0 || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("--peak must be a positive number, got " + peak);
        }
        return new PointCloudCli.Options(points, seed, peak);
    }
}
