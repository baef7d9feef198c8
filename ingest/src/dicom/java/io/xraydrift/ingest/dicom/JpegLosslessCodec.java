package io.xraydrift.ingest.dicom;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PixelMed's JPEG lossless decoder (Debian's {@code libpixelmed-imageio-java}), registered with
 * ImageIO under its format names only. Left to register itself from the class path it answers every
 * ImageIO content probe in the JVM — every PNG or JPEG any part of the pipeline reads — with a line
 * on stdout; PixelMed asks for it by name, so it is loaded here, out of the class path, and wrapped
 * so that it never claims a probed input.
 */
final class JpegLosslessCodec {

    static final Path JAR = Path.of("/usr/share/java/pixelmed_imageio.jar");
    static final String SPI = "com.pixelmed.imageio.JPEGLosslessImageReaderSpi";
    private static final Logger LOG = LoggerFactory.getLogger(JpegLosslessCodec.class);
    private static boolean registered;

    private JpegLosslessCodec() {
    }

    /** Registers the decoder once; false (and a log line) when the package is not installed. */
    static synchronized boolean register() {
        if (registered) {
            return true;
        }
        if (!Files.exists(JAR)) {
            LOG.warn("{} is missing: JPEG lossless DICOM files will be refused (apt-get install "
                    + "libpixelmed-imageio-java)", JAR);
            return false;
        }
        try {
            ClassLoader loader = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, JpegLosslessCodec.class.getClassLoader());
            ImageReaderSpi spi = (ImageReaderSpi) loader.loadClass(SPI).getDeclaredConstructor().newInstance();
            IIORegistry.getDefaultInstance().registerServiceProvider(new ByNameOnly(spi), ImageReaderSpi.class);
            registered = true;
            return true;
        } catch (ReflectiveOperationException | IOException | ClassCastException e) {
            LOG.warn("PixelMed's JPEG lossless decoder did not load from {}: {}", JAR, e.toString());
            return false;
        }
    }

    /** The decoder under its own names, claiming no probed input. */
    private static final class ByNameOnly extends ImageReaderSpi {

        private final ImageReaderSpi inner;

        ByNameOnly(ImageReaderSpi inner) {
            super(inner.getVendorName(), inner.getVersion(), inner.getFormatNames(), inner.getFileSuffixes(),
                    inner.getMIMETypes(), inner.getPluginClassName(), inner.getInputTypes(),
                    inner.getImageWriterSpiNames(), false, null, null, null, null, false, null, null, null, null);
            this.inner = inner;
        }

        @Override
        public boolean canDecodeInput(Object source) {
            return false;
        }

        @Override
        public ImageReader createReaderInstance(Object extension) throws IOException {
            return inner.createReaderInstance(extension);
        }

        @Override
        public String getDescription(Locale locale) {
            return inner.getDescription(locale) + " (by format name only)";
        }
    }
}
