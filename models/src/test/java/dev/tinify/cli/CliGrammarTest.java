package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.eval.RdPlot;
import dev.tinify.eval.ResultFile;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** One grammar for every command: the same option names, one-line usage errors with suggestions, honest outputs. */
class CliGrammarTest {
    private static final Path BASELINES = ReferenceCase.sharedDir().resolve("data").resolve("baselines-dev8.json");

    @TempDir
    Path dir;

    private static List<CommandLine> commands() {
        return List.copyOf(Main.commandLine().getSubcommands().values());
    }

    @Test
    void dashMIsTheModelInEveryCommand() {
        int withModel = 0;
        for (CommandLine c : commands()) {
            OptionSpec m = c.getCommandSpec().findOption("-m");
            if (m != null) {
                assertEquals("--model", m.longestName(), c.getCommandName() + ": -m is " + m.longestName());
                withModel++;
            }
            OptionSpec metric = c.getCommandSpec().findOption("--metric");
            if (metric != null) {
                assertFalse(List.of(metric.names()).contains("-m"), c.getCommandName() + ": -m means --metric");
            }
        }
        // encode, decode, eval, update, train, inspect, import, check
        assertEquals(8, withModel);
        // train and inspect take the model as an option, like the others, not as a positional argument
        for (String name : List.of("train", "inspect")) {
            CommandSpec spec = Main.commandLine().getSubcommands().get(name).getCommandSpec();
            assertTrue(spec.positionalParameters().stream().noneMatch(p -> p.paramLabel().contains("SPEC")), name);
        }
    }

    @Test
    void mistypedOptionIsNamedWithASuggestionInOneLine() {
        CliRun run = CliRun.of("encode", "img.png", "-m", "bmshj2018-hyperprior", "--qualty", "3", "-o", "x.tfy");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("unknown option '--qualty' (did you mean '--quality'?)"), run.err());
        assertTrue(run.err().strip().lines().count() <= 2, "no usage text dump: " + run.err());
    }

    @Test
    void mistypedCommandAndModelGetSuggestions() {
        CliRun cmd = CliRun.of("encdoe", "x.png");
        assertEquals(2, cmd.status());
        assertTrue(cmd.err().contains("unknown command 'encdoe' (did you mean 'encode'?)"), cmd.err());
        CliRun model = CliRun.of("inspect", "-m", "bmshj2018-hyperprio");
        assertEquals(1, model.status());
        assertTrue(model.err().contains("did you mean 'bmshj2018-hyperprior'?"), model.err());
    }

    @Test
    void metricsAreSpelledAlikeEverywhereAndTyposSuggest() {
        assertEquals(dev.tinify.dsl.Metric.MS_SSIM, dev.tinify.dsl.Metric.parse("msssim"));
        assertEquals(dev.tinify.eval.QualityAxis.MS_SSIM, dev.tinify.eval.QualityAxis.parse("msssim"));
        CliRun run = CliRun.of("encode", "img.png", "-m", "bmshj2018-hyperprior", "--metric", "ms-sim", "-o", "x.tfy");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("did you mean 'ms-ssim'?"), run.err());
    }

    @Test
    void plotWritesTheFormatItsNameSays() throws Exception {
        Path baselines = BASELINES;
        Path jpg = dir.resolve("c.jpg");
        CliRun run = CliRun.of("plot", baselines + ":jpeg", baselines + ":webp", "-o", jpg.toString());
        assertEquals(0, run.status(), run.toString());
        byte[] b = Files.readAllBytes(jpg);
        assertEquals(0xff, b[0] & 0xff);
        assertEquals(0xd8, b[1] & 0xff);
        CliRun gif = CliRun.of("plot", baselines + ":jpeg", "-o", dir.resolve("c.gif").toString());
        assertEquals(1, gif.status());
        assertTrue(gif.err().contains(".png or .jpg"), gif.err());
        assertFalse(Files.exists(dir.resolve("c.gif")));
    }

    @Test
    void aCodecKeepsItsColourWhateverIsPlottedBesideIt() throws Exception {
        Path baselines = BASELINES;
        ResultFile jpeg = ResultFile.load(baselines + ":jpeg");
        ResultFile webp = ResultFile.load(baselines + ":webp");
        var a = RdPlot.chart(List.of(jpeg, webp), dev.tinify.eval.QualityAxis.PSNR).getSeriesMap().get(jpeg.name()).getLineColor();
        var b = RdPlot.chart(List.of(webp, jpeg), dev.tinify.eval.QualityAxis.PSNR).getSeriesMap().get(jpeg.name()).getLineColor();
        assertEquals(a, b);
    }

    @Test
    void helpDescriptionsAreWholeSentences() {
        for (CommandLine c : commands()) {
            for (String line : c.getCommandSpec().usageMessage().description()) {
                assertTrue(line.matches("(?s).*[.:)](%n)?$"), c.getCommandName() + ": a description line ends mid-sentence: " + line);
            }
        }
    }

    @Test
    void everyHelpFormatsWithoutWarnings() {
        // picocli formats help texts with String.format: a lone '%' is a warning and raw text.
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine c : commands()) {
                assertFalse(c.getUsageMessage().isBlank(), c.getCommandName());
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionIsTheBuildsAndQualityZeroIsDocumented() throws Exception {
        String pom = Files.readString(Path.of("../pom.xml"));
        Matcher m = Pattern.compile("<artifactId>tinify-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find());
        CliRun run = CliRun.of("--version");
        assertEquals("tinify " + m.group(1), run.out().strip());
        String encodeHelp = Main.commandLine().getSubcommands().get("encode").getUsageMessage();
        assertTrue(encodeHelp.contains("without a zoo section takes none"), encodeHelp);
        String decodeHelp = Main.commandLine().getSubcommands().get("decode").getUsageMessage();
        assertTrue(decodeHelp.contains("-m"), decodeHelp);
    }

    @Test
    void sizesPrintAsWidthByHeight() throws Exception {
        Path png = CliRun.dev8Png(dir, "fog.png", 64, 128);
        Path tfy = dir.resolve("fog.tfy");
        CliRun run = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "3", "-o", tfy.toString()));
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains(": 128x64,"), run.out());
        CliRun ins = CliRun.of("inspect", tfy.toString());
        assertTrue(ins.out().contains("128x64"), ins.out());
    }

    @Test
    void inspectNamesTheStrideForAnInputThatDoesNotFit() {
        CliRun run = CliRun.of("inspect", "-m", "bmshj2018-hyperprior", "--input", "1x3x100x100");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("multiples of 64"), run.err());
        assertTrue(run.err().contains("1x3x128x128"), run.err());
        assertArrayEquals(new long[] {1, 3, 100, 100}, InspectCommand.parseShape("1x3x100x100"));
    }
}
