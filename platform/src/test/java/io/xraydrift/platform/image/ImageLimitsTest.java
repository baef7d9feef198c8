package io.xraydrift.platform.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageLimitsTest {

    @Test
    void aHeaderDeclaringTooManyPixelsIsRefusedUnread() {
        ImageLimits.TooLarge e =
                assertThrows(ImageLimits.TooLarge.class, () -> ImageLimits.decode(declared(30_000, 30_000), "png"));
        assertTrue(e.getMessage().contains("declares 30000x30000"), e.getMessage());
        assertThrows(ImageLimits.TooLarge.class, () -> ImageLimits.withDecoded(declared(20_000, 100), null, i -> i));
    }

    @Test
    void aDecodeHoldsItsPixelsAgainstTheBudgetUntilTheWorkIsDone() throws Exception {
        BufferedImage img = new BufferedImage(2000, 1500, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        int before = ImageLimits.budgetLeft();
        int during = ImageLimits.withDecoded(png.toByteArray(), "png", i -> ImageLimits.budgetLeft());
        assertEquals(before - 3000, during, "2000 x 1500 holds 3,000 kilopixels while it is worked on");
        assertEquals(before, ImageLimits.budgetLeft(), "and gives them back");
    }

    /** A PNG whose header declares w x h 8-bit gray pixels, with no image data behind it. */
    static byte[] declared(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13)
                .put(ihdr.array())
                .putInt((int) crc.getValue())
                .putInt(0)
                .put("IEND".getBytes(StandardCharsets.US_ASCII))
                .putInt(0xAE426082);
        return png.array();
    }
}
