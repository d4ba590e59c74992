package dev.tinify.cli;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PanZoomClip;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import dev.tinify.runtime.train.PatchSampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tinify clip PHOTO -o clip.y4m}: a synthetic pan/zoom clip made from one photograph;
 * {@code tinify clip DIR -o OUTDIR}: one clip per photograph of a folder, the training clips of a
 * video model.
 */
@Command(name = "clip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a Y4M clip by moving a crop window over a photograph (pan and zoom, a few pixels per frame).",
                "Given a folder, make one clip per photograph into the output folder (training clips for a video model), "
                        + "each moving in its own direction (the --pan speed turned by the golden angle from one photograph "
                        + "to the next) and zooming in or out in turn.",
                "A stand-in for real footage: global camera-like motion only."})
final class ClipCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "PHOTO|DIR", description = "The photograph (PNG, JPEG, PNM), or a folder of them.")
    Path photo = Path.of("");

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.y4m|OUTDIR",
            description = "Where to write the clip (atomically); for a folder of photographs, the folder of clips.")
    Path output = Path.of("");

    @Option(names = "--frames", defaultValue = "30", paramLabel = "N", description = "Number of frames (default 30).")
    int frames = 30;

    @Option(names = "--size", defaultValue = "768x512", paramLabel = "WxH", description = "Frame size (default 768x512).")
    String size = "768x512";

    @Option(names = "--pan", defaultValue = "3,1", paramLabel = "DX,DY", description = "Window motion in pixels per frame (default 3,1).")
    String pan = "3,1";

    @Option(names = "--zoom", defaultValue = "0.998", paramLabel = "F", description = "Window size factor per frame (default 0.998).")
    double zoom = 0.998;

    @Option(names = "--chroma", defaultValue = "420", paramLabel = "420|444", description = "Chroma subsampling (default 420).")
    String chroma = "420";

    /** Turns each clip's direction from the previous one's: successive directions never line up. */
    private static final double GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

    private void write(Path source, Path target, int w, int h, double dx, double dy, double z, Chroma c) throws IOException {
        try (PanZoomClip clip = new PanZoomClip(ImageFiles.read(source), w, h, frames, dx, dy, z, 25, 1);
                FrameWriter out = Y4m.create(target, new VideoFormat(w, h, 25, 1, c), ColorSpace.COMPRESSAI)) {
            RgbImage f;
            while ((f = clip.next()) != null) {
                out.write(f);
            }
            out.finish();
        }
    }

    @Override
    int execute() throws Exception {
        String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        String[] d = pan.split(",", -1);
        if (wh.length != 2 || d.length != 2) {
            throw new IllegalArgumentException("--size WxH and --pan DX,DY expected, got " + size + " and " + pan);
        }
        int w;
        int h;
        double dx;
        double dy;
        try {
            w = Integer.parseInt(wh[0].trim());
            h = Integer.parseInt(wh[1].trim());
            dx = Double.parseDouble(d[0].trim());
            dy = Double.parseDouble(d[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size " + size + " / --pan " + pan + ": not numbers");
        }
        Chroma c = switch (chroma) {
            case "420" -> Chroma.C420;
            case "444" -> Chroma.C444;
            default -> throw new IllegalArgumentException("--chroma " + chroma + ": expected 420 or 444");
        };
        if (Files.isDirectory(photo)) {
            List<Path> photos = PatchSampler.listImages(photo);
            Files.createDirectories(output);
            double speed = Math.hypot(dx, dy);
            double angle = Math.atan2(dy, dx);
            for (int i = 0; i < photos.size(); i++) {
                Path p = photos.get(i);
                String stem = p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                double a = angle + i * GOLDEN_ANGLE;
                write(p, output.resolve(stem + ".y4m"), w, h, speed * Math.cos(a), speed * Math.sin(a), i % 2 == 0 ? zoom : 1 / zoom, c);
            }
            out().println(photo + " -> " + output + ": " + photos.size() + " clips of " + frames + " frames " + w + "x" + h + ", "
                    + speed + " px/frame in turning directions, zoom " + zoom + " or " + 1 / zoom + "/frame, " + c + " "
                    + ColorSpace.COMPRESSAI);
            return 0;
        }
        write(photo, output, w, h, dx, dy, zoom, c);
        out().println(photo + " -> " + output + ": " + frames + " frames " + w + "x" + h + ", pan " + dx + "," + dy + " px/frame, zoom "
                + zoom + "/frame, " + c + " " + ColorSpace.COMPRESSAI);
        return 0;
    }
}
