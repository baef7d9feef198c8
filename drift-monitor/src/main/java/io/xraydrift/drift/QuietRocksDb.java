package io.xraydrift.drift;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * The drift monitor's RocksDB stores without RocksDB's own periodic statistics threads
 * ({@code stats_dump_period_sec}, {@code stats_persist_period_sec} set to 0): the dump thread
 * ({@code DBImpl::DumpStats}) racing a store being closed at SIGTERM crashed the JVM once (SIGSEGV);
 * Kafka Streams reports RocksDB's metrics through its own recorder, so nothing is lost.
 */
public final class QuietRocksDb implements RocksDBConfigSetter {

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setStatsDumpPeriodSec(0);
        options.setStatsPersistPeriodSec(0);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing was allocated
    }
}
