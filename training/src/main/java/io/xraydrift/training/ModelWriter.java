package io.xraydrift.training;

import ai.djl.Model;
import io.xraydrift.embedder.model.Hashes;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.TransferNet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@code train} writes: the weights (always weights-0000.params, hashed into the version), the backbone file if any, model.json and MODEL_CARD.md. */
final class ModelWriter {

    private ModelWriter() {}

    /** Saves the weights (always weights-0000.params), the backbone file if any, model.json and MODEL_CARD.md. */
    static ModelCard save(
            PrintStream progress,
            Model model,
            ModelCard draft,
            Map<String, Object> training,
            ModelTrainer.Options o,
            long began)
            throws IOException {
        Files.createDirectories(o.out());
        try (var stale = Files.newDirectoryStream(o.out(), ModelCard.WEIGHTS + "-*.params")) {
            for (Path p : stale) {
                Files.delete(p);
            }
        }
        model.setProperty("Epoch", "0"); // always weights-0000.params: the card's hash names it
        model.save(o.out(), ModelCard.WEIGHTS);
        if (draft.hasBackbone()) {
            Files.copy(
                    o.backbone().get(),
                    o.out().resolve(TransferNet.BACKBONE_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Map<String, Object> all = new LinkedHashMap<>(training);
        all.put("training_seconds", Math.round(seconds));
        all.put("cores", Runtime.getRuntime().availableProcessors());
        all.put("command", o.command());
        ModelCard card = draft.saved(weightsHash(o.out()), all);
        card.write(o.out());
        writeReadableCard(card, o.out());
        progress.printf(
                Locale.ROOT, "saved %s version %s to %s in %.0f s%n", card.id(), card.version(), o.out(), seconds);
        return card;
    }

    static String weightsHash(Path dir) throws IOException {
        return Hashes.file(dir.resolve(ModelCard.WEIGHTS + "-0000.params"));
    }

    private static void writeReadableCard(ModelCard c, Path dir) throws IOException {
        String text = String.join(
                "\n",
                "# Model card: " + c.id() + " (version " + c.version() + ")",
                "",
                "Embedding model for xray-drift, written by `xray-drift train`. Decision support, not a diagnosis.",
                "",
                "| field | value |",
                "|---|---|",
                "| architecture | " + c.architecture() + " |",
                "| backbone file | " + (c.hasBackbone() ? c.backbone() : "none (trained from scratch)") + " |",
                "| input | " + c.channels() + " x " + c.inputSize() + " x " + c.inputSize()
                        + ", 8-bit gray resized by area averaging" + (c.equalized() ? ", histogram-equalised" : "")
                        + ", (v/255 - " + c.mean() + ") / " + c.std() + " |",
                "| embedding | " + c.embeddingSize() + " floats (penultimate layer) |",
                "| classes | " + String.join(", ", c.classes()) + " (+ severity regression) |",
                "| training | " + c.training() + " |",
                "",
                "Reproduce: `" + c.training().get("command") + "`",
                "");
        Files.writeString(dir.resolve("MODEL_CARD.md"), text);
    }
}
