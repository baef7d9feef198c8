package com.pixelmed.network;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

/**
 * Collects one DIMSE request message — its command and, where the command announces one, its data
 * set — from an association's P-DATA PDUs, and says it is done once the message is whole. It lives
 * in PixelMed's package only because {@link ReceivedDataHandler}'s constructor is package-private;
 * what the message means, and the response with its status, is the caller's
 * ({@code io.xraydrift.ingest.dicom.StoreScp}), which PixelMed's own SCP does not let us choose (it
 * answers every C-STORE with Success).
 */
public final class DimseMessageReceiver extends ReceivedDataHandler {

    /** CommandDataSetType (0000,0800) of a command without a data set. */
    private static final int NO_DATA_SET = 0x0101;

    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private AttributeList commandList;
    private byte contextId;
    private boolean expectsData;

    public DimseMessageReceiver() {
        super();
    }

    @Override
    public void sendPDataIndication(PDataPDU pdu, Association association)
            throws DicomNetworkException, DicomException, IOException {
        for (Object o : pdu.getPDVList()) {
            PresentationDataValue pdv = (PresentationDataValue) o;
            contextId = pdv.getPresentationContextID();
            if (pdv.isCommand()) {
                command.writeBytes(pdv.getValue());
                if (pdv.isLastFragment()) {
                    commandList = new AttributeList();
                    commandList.read(new DicomInputStream(new ByteArrayInputStream(command.toByteArray()),
                            TransferSyntax.ImplicitVRLittleEndian, false));
                    expectsData = Attribute.getSingleIntegerValueOrDefault(commandList,
                            TagFromName.CommandDataSetType, NO_DATA_SET) != NO_DATA_SET;
                    if (!expectsData) {
                        done = true;
                    }
                }
            } else {
                data.writeBytes(pdv.getValue());
                if (pdv.isLastFragment()) {
                    done = true;
                }
            }
        }
    }

    /** The message's command (implicit VR little endian), parsed. */
    public AttributeList command() {
        return commandList;
    }

    /** Its data set in the presentation context's transfer syntax, or empty if it has none. */
    public byte[] data() {
        return data.toByteArray();
    }

    /** The presentation context it came on (the response goes back on it). */
    public byte presentationContextId() {
        return contextId;
    }
}
