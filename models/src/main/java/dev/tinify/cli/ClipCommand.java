package dev.tinify.cli;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PanZoomClip;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify clip PHOTO -o clip.y4m}: a synthetic pan/zoom clip made from one photograph. */
@Command(name = "clip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a Y4M clip by moving a crop window over a photograph (pan and zoom, a few pixels per frame).",
                "A stand-in for real footage: global camera-like motion only."})
final class ClipCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "PHOTO", description = "The photograph (PNG, JPEG, PNM).")
    Path photo = Path.of("");

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.y4m", description = "Where to write the clip (atomically).")
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
        RgbImage source = ImageFiles.read(photo);
        try (PanZoomClip clip = new PanZoomClip(source, w, h, frames, dx, dy, zoom, 25, 1);
                FrameWriter out = Y4m.create(output, new VideoFormat(w, h, 25, 1, c), ColorSpace.COMPRESSAI)) {
            RgbImage f;
            while ((f = clip.next()) != null) {
                out.write(f);
            }
            out.finish();
        }
        out().println(photo + " -> " + output + ": " + frames + " frames " + w + "x" + h + ", pan " + dx + "," + dy + " px/frame, zoom "
                + zoom + "/frame, " + c + " " + ColorSpace.COMPRESSAI);
        return 0;
    }
}
