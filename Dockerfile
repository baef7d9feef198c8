# The image of each of the five services; docker-compose.yml builds it once per service with
# SERVICE (ingest, embedder, indexer, drift-monitor, alert-out), PORT and, where needed, JAVA_FLAGS.
# Build context: the repository root.
FROM maven:3.9-eclipse-temurin-17 AS build
ARG SERVICE
WORKDIR /src
# Ingest reads DICOM with PixelMed, which the distribution serves (Maven Central does not).
RUN if [ "$SERVICE" = ingest ]; then apt-get update -qq \
      && apt-get install -y -qq --no-install-recommends libpixelmed-java libpixelmed-imageio-java \
      && rm -rf /var/lib/apt/lists/*; fi
COPY . .
RUN mvn -B -q -DskipTests -Dxray.skipRegistryUnpack=true -pl "${SERVICE}" -am package \
    && mkdir /out && cp -r "${SERVICE}/target/lib" /out/lib && cp "${SERVICE}/target/${SERVICE}.jar" /out/service.jar

FROM eclipse-temurin:17-jre
ARG SERVICE
ARG PORT
# PixelMed's classes are in ingest's jar; its JPEG lossless codec is read from the package at run time.
RUN if [ "$SERVICE" = ingest ]; then apt-get update -qq \
      && apt-get install -y -qq --no-install-recommends libpixelmed-imageio-java \
      && rm -rf /var/lib/apt/lists/*; fi
# Extra JVM flags, e.g. the indexer's "--add-modules jdk.incubator.vector" for its SIMD kernels.
ARG JAVA_FLAGS=""
WORKDIR /app
# State (ingest's DICOMweb watermark, indexer snapshots, drift-monitor stores, the DJL cache),
# owned by the service user.
RUN mkdir -p /data/ingest /data/indexer /data/drift-monitor /data/djl && chown -R 10001:10001 /data
COPY --from=build /out/lib/ lib/
COPY --from=build /out/service.jar service.jar
ENV XRAY_HTTP_PORT=${PORT} JAVA_FLAGS=${JAVA_FLAGS} DJL_CACHE_DIR=/data/djl XRAY_INGEST_STATE_DIR=/data/ingest
EXPOSE ${PORT} 11112
USER 10001
# exec: java is PID 1 and gets SIGTERM for a graceful stop; arguments (e.g. --backfill) pass through.
ENTRYPOINT ["sh", "-c", "exec java -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:ErrorFile=/tmp/hs_err_pid%p.log $JAVA_FLAGS -jar /app/service.jar \"$@\"", "service"]
