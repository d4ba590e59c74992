package dev.tinify.eval;

import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Classic image codecs run through Debian's command-line tools, with the settings of the
 * project's baselines (shared data {@code baselines-dev8.json}). Each codec names its tools, the
 * Debian package that ships them, and the setting it sweeps.
 */
public enum ClassicCodec {
    /** libjpeg-turbo: {@code cjpeg -quality Q -optimize} (4:2:0), decoded by {@code djpeg}. */
    JPEG("jpeg", "JPEG (libjpeg-turbo cjpeg -optimize)", "q", "libjpeg-turbo-progs", Input.PPM, "jpg", "ppm",
            List.of(5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0, 97.0), "cjpeg", "djpeg"),
    /** libwebp: {@code cwebp -q Q -m 6}, decoded by {@code dwebp}. */
    WEBP("webp", "WebP (cwebp -m 6)", "q", "webp", Input.PNG, "webp", "ppm",
            List.of(0.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0, 100.0), "cwebp", "dwebp"),
    /** libavif with libaom: 4:4:4, full range, 8 bits, speed 6, fixed quantizer QP. */
    AVIF("avif", "AVIF (avifenc aom -s 6, 4:4:4 full range, fixed QP)", "qp", "libavif-bin", Input.PNG, "avif", "png",
            List.of(63.0, 58.0, 53.0, 48.0, 43.0, 38.0, 33.0, 28.0, 23.0, 18.0, 13.0, 8.0, 4.0, 2.0), "avifenc", "avifdec"),
    /** libjxl: {@code cjxl -d D -e 7}, decoded by {@code djxl}. */
    JXL("jxl", "JPEG XL (cjxl -e 7, distance D)", "d", "libjxl-tools", Input.PNG, "jxl", "png",
            List.of(25.0, 15.0, 10.0, 7.0, 5.0, 3.5, 2.5, 1.8, 1.3, 1.0, 0.7, 0.5, 0.35, 0.25, 0.18), "cjxl", "djxl"),
    /** OpenJPEG, irreversible, compression ratio 24/B: the same bpp B for every image. */
    JPEG2000("jpeg2000", "JPEG 2000 (opj_compress -I, fixed rate)", "bpp", "libopenjp2-tools", Input.PPM, "j2k", "ppm",
            List.of(0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.4, 2.0, 2.8), "opj_compress", "opj_decompress"),
    /** OpenJPEG, irreversible, target PSNR P: the same PSNR for every image. */
    JPEG2000_Q("jpeg2000_q", "JPEG 2000 (opj_compress -I, fixed PSNR)", "psnr", "libopenjp2-tools", Input.PPM, "j2k", "ppm",
            List.of(26.0, 28.0, 30.0, 32.0, 34.0, 36.0, 38.0, 40.0, 42.0, 44.0, 46.0, 48.0), "opj_compress", "opj_decompress");

    /** The file the encoder reads: both hold the same 8-bit RGB pixels. */
    enum Input {
        PNG,
        PPM
    }

    private final String id;
    private final String description;
    private final String settingKey;
    private final String debianPackage;
    final Input input;
    final String codedExtension;
    final String decodedExtension;
    private final List<Double> defaultSettings;
    private final List<String> tools;

    ClassicCodec(String id, String description, String settingKey, String debianPackage, Input input, String codedExtension,
            String decodedExtension, List<Double> defaultSettings, String encoder, String decoder) {
        this.id = id;
        this.description = description;
        this.settingKey = settingKey;
        this.debianPackage = debianPackage;
        this.input = input;
        this.codedExtension = codedExtension;
        this.decodedExtension = decodedExtension;
        this.defaultSettings = defaultSettings;
        this.tools = List.of(encoder, decoder);
    }

    /** The name used in result files and on the command line (as in the baselines file). */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The Debian package providing the tools. */
    public String debianPackage() {
        return debianPackage;
    }

    /** The baselines' settings, from lowest to highest rate. */
    public List<Double> defaultSettings() {
        return defaultSettings;
    }

    /** Setting label as in the baselines file, e.g. {@code q=5}, {@code d=3.5}. */
    public String label(double setting) {
        return settingKey + "=" + format(setting);
    }

    /** The codec with this {@link #id()}. */
    public static ClassicCodec byId(String id) {
        for (ClassicCodec c : values()) {
            if (c.id.equals(id.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        List<String> ids = new ArrayList<>();
        for (ClassicCodec c : values()) {
            ids.add(c.id);
        }
        throw new IllegalArgumentException("unknown codec '" + id + "', expected one of " + ids);
    }

    /** Tools of this codec not found on the PATH (empty when it can run). */
    public List<String> missingTools() {
        return missingTools(System.getenv("PATH"));
    }

    /** Tools not found in the directories of {@code path} (a PATH-style list). */
    List<String> missingTools(@Nullable String path) {
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (!onPath(t, path)) {
                missing.add(t);
            }
        }
        return missing;
    }

    /** Encoder command writing {@code coded} from {@code in} (the file of {@link #input} type). */
    List<String> encodeCommand(Path in, Path coded, double setting) {
        String s = format(setting);
        return switch (this) {
            case JPEG -> List.of("cjpeg", "-quality", s, "-optimize", "-outfile", coded.toString(), in.toString());
            case WEBP -> List.of("cwebp", "-quiet", "-q", s, "-m", "6", in.toString(), "-o", coded.toString());
            case AVIF -> List.of("avifenc", "-c", "aom", "-s", "6", "-d", "8", "-y", "444", "-r", "full", "--min", s, "--max", s,
                    in.toString(), coded.toString());
            case JXL -> List.of("cjxl", in.toString(), coded.toString(), "-d", s, "-e", "7");
            // opj_compress takes a compression ratio: 24 bits per pixel of raw RGB over the target bpp.
            case JPEG2000 -> List.of("opj_compress", "-i", in.toString(), "-o", coded.toString(), "-I", "-r",
                    Double.toString(24.0 / setting));
            case JPEG2000_Q -> List.of("opj_compress", "-i", in.toString(), "-o", coded.toString(), "-I", "-q", s);
        };
    }

    /** Decoder command writing {@code decoded} from {@code coded}. */
    List<String> decodeCommand(Path coded, Path decoded) {
        return switch (this) {
            case JPEG -> List.of("djpeg", "-ppm", "-outfile", decoded.toString(), coded.toString());
            case WEBP -> List.of("dwebp", "-quiet", coded.toString(), "-ppm", "-o", decoded.toString());
            case AVIF -> List.of("avifdec", coded.toString(), decoded.toString());
            case JXL -> List.of("djxl", coded.toString(), decoded.toString());
            case JPEG2000, JPEG2000_Q -> List.of("opj_decompress", "-i", coded.toString(), "-o", decoded.toString());
        };
    }

    /** Shortest plain decimal: 5.0 gives "5", 3.5 gives "3.5". */
    static String format(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static boolean onPath(String tool, @Nullable String path) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
