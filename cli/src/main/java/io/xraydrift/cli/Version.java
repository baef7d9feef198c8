package io.xraydrift.cli;

import picocli.CommandLine;

/** Version line from the jar manifest (set by the build). */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = XrayDrift.class.getPackage().getImplementationVersion();
        return new String[] {"xray-drift " + (v == null ? "development build" : v)};
    }
}
