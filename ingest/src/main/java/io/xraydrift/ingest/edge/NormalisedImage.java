package io.xraydrift.ingest.edge;

/**
 * A scan's pixels after normalisation: 8-bit grayscale PNG, longest side bounded, plus a
 * thumbnail and what the gate looks at.
 *
 * @param png        the normalised image
 * @param width      its width
 * @param height     its height
 * @param thumbnail  PNG, longest side {@link ImageNormaliser#THUMBNAIL_SIDE}
 * @param thumbWidth thumbnail width
 * @param thumbHeight thumbnail height
 * @param pixelHash  SHA-256 of the normalised pixels (for content-derived scan ids)
 * @param mean       mean intensity, 0..255
 * @param stdDev     intensity standard deviation
 * @param originalWidth  width as uploaded
 * @param originalHeight height as uploaded
 */
public record NormalisedImage(
        byte[] png,
        int width,
        int height,
        byte[] thumbnail,
        int thumbWidth,
        int thumbHeight,
        byte[] pixelHash,
        double mean,
        double stdDev,
        int originalWidth,
        int originalHeight) {}
