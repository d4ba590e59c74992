package dev.tinify;

import dev.tinify.dsl.Kinds;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.SpecLimits;
import dev.tinify.dsl.SpecReader;
import dev.tinify.zoo.ShippedWeights;
import dev.tinify.zoo.Weights;
import dev.tinify.zoo.ZooEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Entry point of the library: builds compression models from spec files, bundled specs and the zoo.
 *
 * <pre>{@code
 * try (CompressionModel model = Tinify.build("bmshj2018-hyperprior", Map.of("N", 16, "M", 24))) {
 *     CompressionModel.ForwardResult out = model.forward(x);
 * }
 * CompressionModel q3 = Tinify.zoo("bmshj2018-hyperprior", 3, Metric.MSE);
 * }</pre>
 *
 * <p>A spec is named either by a path to a YAML file or by the name of a spec bundled with this
 * library ({@link #specNames()}, resources {@code tinify/specs/<name>.yaml}). A model owns native
 * memory: close it. Every failure is a {@link TinifyException} naming the spec or file.
 */
public final class Tinify {
    /** Classpath folder of the bundled specs. */
    public static final String SPEC_RESOURCE_DIR = "tinify/specs/";

    private Tinify() {}

    /** Builds the architecture of a spec file or bundled spec with the spec's own parameter values. */
    public static CompressionModel build(String specOrName) {
        return build(specOrName, Map.of());
    }

    /**
     * Builds the architecture of a spec file or bundled spec, with {@code params} overriding the
     * spec's parameters (for example {@code Map.of("N", 16, "M", 24)}).
     */
    public static CompressionModel build(String specOrName, Map<String, ?> params) {
        return build(spec(specOrName), params);
    }

    /** Builds the architecture of a spec file. */
    public static CompressionModel build(Path specFile, Map<String, ?> params) {
        return build(SpecSource.file(specFile).read(), params);
    }

    /** Builds an architecture declared in code (the dsl's builder or Kotlin {@code spec { }}). */
    public static CompressionModel build(Spec spec) {
        return build(spec, Map.of());
    }

    /** Builds an architecture declared in code, with {@code params} overriding its parameters. */
    public static CompressionModel build(Spec spec, Map<String, ?> params) {
        try {
            return SpecBridge.compile(spec, params);
        } catch (TinifyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TinifyException(spec.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the video architecture ({@code input: video}) of a spec file or bundled spec, such as
     * {@code ssf2020}, with {@code params} overriding its parameters (for example
     * {@code Map.of("mid_planes", 16, "planes", 24)}). Parameters start from PyTorch's default
     * initialization; {@link VideoModel#load} takes a state dict with CompressAI's names.
     */
    public static VideoModel buildVideo(String specOrName, Map<String, ?> params) {
        return buildVideo(spec(specOrName), params);
    }

    /** Builds a video architecture read or declared already, with {@code params} overriding its parameters. */
    public static VideoModel buildVideo(Spec spec, Map<String, ?> params) {
        try {
            return SpecBridge.compileVideo(spec, params);
        } catch (TinifyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TinifyException(spec.name() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a spec file or bundled spec (checked with its default parameters). */
    public static Spec spec(String specOrName) {
        return SpecSource.resolve(specOrName).read();
    }

    /**
     * Reads the bundled spec {@code name} and nothing else: never a file, whatever the name looks
     * like. For names that come from a file (a {@code .tfy} container's architecture), which must
     * not make the program read another file.
     *
     * @throws TinifyException if no bundled spec has that name
     */
    public static Spec bundledSpec(String name) {
        return SpecSource.bundled(name).orElseThrow(() -> new TinifyException("'" + name + "' is not a bundled spec (bundled: "
                + String.join(", ", SpecSource.bundledNames()) + ")")).read();
    }

    /**
     * The zoo configuration of a bundled architecture: the parameters of {@code quality} and the
     * lambda for {@code metric}, as the spec's {@code zoo} section lists them.
     */
    public static ZooEntry zooEntry(String name, int quality, Metric metric) {
        return ZooEntry.of(spec(name), quality, metric);
    }

    /**
     * The architecture {@code name} configured for {@code quality}, with its initial (untrained)
     * weights, as CompressAI's zoo without {@code pretrained}; see
     * {@link #zoo(String, int, Metric, boolean)} for shipped weights and
     * {@link #zoo(String, int, Metric, Path)} to load a checkpoint.
     */
    public static CompressionModel zoo(String name, int quality, Metric metric) {
        return build(name, zooEntry(name, quality, metric).params());
    }

    /**
     * The zoo entry with Tinify's own trained weights when {@code pretrained} (bundled resources,
     * see {@link ShippedWeights}: the model is built at the sizes those weights were trained with),
     * else as {@link #zoo(String, int, Metric)}.
     *
     * @throws TinifyException if {@code pretrained} and this build ships no weights for the entry
     */
    public static CompressionModel zoo(String name, int quality, Metric metric, boolean pretrained) {
        if (!pretrained) {
            return zoo(name, quality, metric);
        }
        Weights w = Weights.resolve(spec(name), quality, metric, Map.of(), null);
        if (w.bundled() == null) {
            throw new TinifyException(name + " q" + quality + " " + metric.id()
                    + ": no shipped weights in this build (train them with `tinify train`)");
        }
        return load(name, w);
    }

    /**
     * The zoo entry with the state dict in {@code weights} (safetensors or a PyTorch checkpoint,
     * CompressAI's key names), built with the parameters recorded beside it ({@code W.json}, as
     * {@code tinify export} writes it) when there is such a file, else at the zoo's parameters of
     * {@code quality}.
     */
    public static CompressionModel zoo(String name, int quality, Metric metric, Path weights) {
        return load(name, Weights.resolve(spec(name), quality, metric, Map.of(), weights));
    }

    private static CompressionModel load(String name, Weights w) {
        CompressionModel model = build(name, w.params());
        try {
            w.loadInto(model);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads a weights file into {@code model}: a safetensors state dict or a PyTorch checkpoint
     * ({@code .pth.tar}, told apart by content), with CompressAI's key names and the renames its
     * loader applies. A checkpoint saved before {@code update()} (empty CDF tables) gets its tables
     * computed, and a notice saying so goes to standard error.
     */
    public static void load(CompressionModel model, Path weights) {
        load(model, weights, notice -> System.err.println("tinify: " + notice));
    }

    /** As {@link #load(CompressionModel, Path)}, handing notices to {@code notices}. */
    public static void load(CompressionModel model, Path weights, Consumer<String> notices) {
        Weights.load(model, weights, notices);
    }

    /** Names of the bundled specs, sorted. */
    public static List<String> specNames() {
        return SpecSource.bundledNames();
    }

    /** The YAML text of a spec file or bundled spec. */
    public static String specText(String specOrName) {
        return SpecSource.resolve(specOrName).text();
    }

    /** Where a spec's text comes from: a file or a bundled resource. */
    record SpecSource(String name, String origin, String text) {
        Spec read() {
            return SpecReader.read(origin, text);
        }

        static SpecSource resolve(String specOrName) {
            Path p = Path.of(specOrName);
            if (Files.isRegularFile(p)) {
                return file(p);
            }
            String name = specOrName.endsWith(".yaml") ? specOrName.substring(0, specOrName.length() - 5) : specOrName;
            return bundled(name).orElseThrow(() -> {
                List<String> bundled = bundledNames();
                String near = Kinds.nearest(name, bundled);
                return new TinifyException("no spec '" + specOrName + "': not a file, and not a bundled spec"
                        + (near != null ? " (did you mean '" + near + "'?)" : "") + "; bundled: " + String.join(", ", bundled));
            });
        }

        /** The bundled spec {@code name}; a name that is not a plain spec name never reaches the class path. */
        static Optional<SpecSource> bundled(String name) {
            if (SpecLimits.nameProblem(name) != null) {
                return Optional.empty();
            }
            String resource = SPEC_RESOURCE_DIR + name + ".yaml";
            try (InputStream in = Tinify.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    return Optional.of(new SpecSource(name, "classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new TinifyException("classpath:" + resource + ": cannot read: " + e.getMessage(), e);
            }
            return Optional.empty();
        }

        static SpecSource file(Path p) {
            try {
                String name = p.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                if (!Files.isRegularFile(p)) {
                    throw new TinifyException(p + ": not a spec file (" + (Files.isDirectory(p) ? "a directory" : Files.exists(p)
                            ? "not a regular file" : "no such file") + "); expected a YAML spec");
                }
                // Refused before reading: a huge file would be parsed for minutes.
                long size = Files.size(p);
                if (size > SpecLimits.MAX_SPEC_BYTES) {
                    throw new TinifyException(p + ": a spec file of " + size + " bytes is larger than the limit of "
                            + SpecLimits.MAX_SPEC_BYTES + " bytes");
                }
                return new SpecSource(name, p.toString(), Files.readString(p));
            } catch (CharacterCodingException e) {
                throw new TinifyException(p + ": not a spec file: not UTF-8 text", e);
            } catch (IOException e) {
                throw new TinifyException(p + ": cannot read spec: " + e.getMessage(), e);
            }
        }

        static List<String> bundledNames() {
            URL url = Tinify.class.getClassLoader().getResource(SPEC_RESOURCE_DIR);
            if (url == null) {
                return List.of();
            }
            try {
                if (url.getProtocol().equals("jar")) {
                    try (FileSystem fs = FileSystems.newFileSystem(url.toURI(), Collections.emptyMap())) {
                        return list(fs.getPath("/" + SPEC_RESOURCE_DIR));
                    } catch (FileSystemAlreadyExistsException e) {
                        // Someone else holds the jar open; use theirs and leave it open.
                        return list(FileSystems.getFileSystem(url.toURI()).getPath("/" + SPEC_RESOURCE_DIR));
                    }
                }
                return list(Path.of(url.toURI()));
            } catch (IOException | URISyntaxException | RuntimeException e) {
                throw new TinifyException(url + ": cannot list bundled specs: " + e.getMessage(), e);
            }
        }

        private static List<String> list(Path dir) throws IOException {
            TreeSet<String> names = new TreeSet<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                        .forEach(f -> names.add(f.substring(0, f.length() - 5)));
            }
            return List.copyOf(names);
        }
    }
}
