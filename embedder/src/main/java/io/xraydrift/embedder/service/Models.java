package io.xraydrift.embedder.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.platform.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Chooses the device and loads the configured model: bundled default, model directory or bare TorchScript file. */
public final class Models {

    private Models() {}

    /** Sets the engine's thread counts; must run before the engine starts. */
    public static void configureThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
    }

    /** GPU when the engine reports one (unless forced to CPU); GPU forced without one fails naming the key. */
    public static Device device(EmbedderConfig.Device wanted) {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        return switch (wanted) {
            case CPU -> Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new ConfigException(EmbedderConfig.DEVICE + "=gpu but the PyTorch engine sees no GPU");
                }
                yield Device.gpu();
            }
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
        };
    }

    /** The model the configuration names. */
    public static EmbeddingModel load(EmbedderConfig config, Device device) {
        if (config.model().isEmpty()) {
            return EmbeddingModel.loadDefault(device);
        }
        Path path = config.model().get();
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve(ModelCard.FILE))) {
                throw new ConfigException(
                        EmbedderConfig.MODEL + "='" + path + "' is a directory without " + ModelCard.FILE);
            }
            return EmbeddingModel.load(path, device);
        }
        if (Files.isRegularFile(path)) {
            return EmbeddingModel.torchScript(path, config.inputSize(), config.mean(), config.std(), device);
        }
        throw new ConfigException(EmbedderConfig.MODEL + "='" + path + "' does not exist");
    }
}
