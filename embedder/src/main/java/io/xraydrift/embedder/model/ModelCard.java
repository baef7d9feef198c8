package io.xraydrift.embedder.model;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a saved model is and how to feed it: written by the training command beside the weights
 * ({@value #FILE}), read by the embedder. {@code backbone} names a TorchScript file in the same
 * directory when the model is a transfer-learned backbone; empty for the project's own network.
 * {@code intensity} says how gray levels are mapped before normalisation: {@value #EQUALIZED}
 * (histogram equalisation, which removes exposure and contrast differences between sites) or
 * {@value #LINEAR} (as they are; cards written before the field existed read as this).
 */
public record ModelCard(
        String id,
        String version,
        String architecture,
        String backbone,
        int inputSize,
        int channels,
        float mean,
        float std,
        int embeddingSize,
        List<String> classes,
        Map<String, Object> training,
        String intensity,
        String network,
        Levels levels) {

    /**
     * The level thresholds fitted for this model on its labelled data: the scores from which a scan
     * is infected and severe, chosen by patient-disjoint cross-validation ({@code method} says how),
     * what the indexer and the drift monitor use for this model's scans unless the deployment sets
     * its own.
     */
    public record Levels(double infected, double severe, String method) {}

    /** The card without fitted levels (the deployment's thresholds apply). */
    public ModelCard(
            String id,
            String version,
            String architecture,
            String backbone,
            int inputSize,
            int channels,
            float mean,
            float std,
            int embeddingSize,
            List<String> classes,
            Map<String, Object> training,
            String intensity,
            String network) {
        this(
                id,
                version,
                architecture,
                backbone,
                inputSize,
                channels,
                mean,
                std,
                embeddingSize,
                classes,
                training,
                intensity,
                network,
                null);
    }

    /** A copy carrying fitted level thresholds. */
    public ModelCard withLevels(Levels fitted) {
        return copy(version, embeddingSize, training, fitted);
    }

    /** A copy with the embedding size the built network gives. */
    public ModelCard withEmbeddingSize(int size) {
        return copy(version, size, training, levels);
    }

    /** The card as saved: its version (the weights' hash) and what its training recorded. */
    public ModelCard saved(String weightsVersion, Map<String, Object> trainingRecord) {
        return copy(weightsVersion, embeddingSize, trainingRecord, levels);
    }

    private ModelCard copy(String v, int size, Map<String, Object> t, Levels l) {
        return new ModelCard(
                id, v, architecture, backbone, inputSize, channels, mean, std, size, classes, t, intensity, network, l);
    }

    /** {@link #network()} of the compact four-stage CNN ({@link XrayNet}; cards without the field read as this). */
    public static final String XRAY_NET = "xray-net";

    /** {@link #embeddingSize()} of the project's networks trained end to end (xray-net, xray-resnet). */
    public static final int DEFAULT_EMBEDDING = 256;

    public ModelCard {
        network = network == null || network.isBlank() ? XRAY_NET : network;
    }

    /** The card without a network name: the compact CNN, or a backbone's head. */
    public ModelCard(
            String id,
            String version,
            String architecture,
            String backbone,
            int inputSize,
            int channels,
            float mean,
            float std,
            int embeddingSize,
            List<String> classes,
            Map<String, Object> training,
            String intensity) {
        this(
                id,
                version,
                architecture,
                backbone,
                inputSize,
                channels,
                mean,
                std,
                embeddingSize,
                classes,
                training,
                intensity,
                XRAY_NET);
    }

    /** A fresh block of the project's network this card names (not for a backbone model). */
    public Block newNetwork() {
        return Network.named(network).block(embeddingSize);
    }

    /** {@link #intensity()} of a model trained on histogram-equalised inputs. */
    public static final String EQUALIZED = "equalized";
    /** {@link #intensity()} of a model that takes the gray levels as they are (cards without the field). */
    public static final String LINEAR = "linear";

    /** Whether the model's inputs are histogram-equalised before normalisation. */
    public boolean equalized() {
        return EQUALIZED.equals(intensity);
    }

    /** File name of the card in a model directory. */
    public static final String FILE = "model.json";
    /** File name stem of the weights ({@code <stem>-0000.params}). */
    public static final String WEIGHTS = "weights";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static ModelCard read(Path dir) {
        try (InputStream in = Files.newInputStream(dir.resolve(FILE))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model card " + dir.resolve(FILE), e);
        }
    }

    public static ModelCard read(InputStream in) throws IOException {
        return JSON.readValue(in, ModelCard.class);
    }

    public void write(Path dir) {
        try {
            JSON.writeValue(dir.resolve(FILE).toFile(), this);
            if (levels != null && Files.isRegularFile(dir.resolve(READABLE))) {
                writeLevelsSection(dir.resolve(READABLE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model card to " + dir, e);
        }
    }

    /** The readable card beside {@code model.json}. */
    public static final String READABLE = "MODEL_CARD.md";

    private static final String LEVELS_BEGIN = "<!-- xray-drift levels: written with the fitted thresholds -->";
    private static final String LEVELS_END = "<!-- /xray-drift levels -->";

    /**
     * Keeps the readable card true to {@code model.json}: its level-threshold section (between markers,
     * appended the first time) says the fitted thresholds and how they were fitted.
     */
    private void writeLevelsSection(Path markdown) throws IOException {
        String text = Files.readString(markdown);
        String section = LEVELS_BEGIN + "\n## Level thresholds\n\nInfected from **" + levels.infected()
                + "**, severe from **" + levels.severe() + "** (" + levels.method() + "). The indexer and the drift "
                + "monitor level this model's scans by them unless the deployment sets its own.\n" + LEVELS_END;
        int begin = text.indexOf(LEVELS_BEGIN);
        int end = text.indexOf(LEVELS_END);
        String updated = begin >= 0 && end > begin
                ? text.substring(0, begin) + section + text.substring(end + LEVELS_END.length())
                : text.stripTrailing() + "\n\n" + section + "\n";
        Files.writeString(markdown, updated);
    }

    public boolean hasBackbone() {
        return backbone != null && !backbone.isBlank();
    }
}
