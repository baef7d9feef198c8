package io.xraydrift.stack.hospital;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;

/**
 * The EHR's FHIR R4 endpoint, on this machine: HAPI FHIR's RestfulServer on Jetty taking the
 * Observations and Flags alert-out files — conditional create by identifier, search by subject
 * identifier and identifier system, version-checked update — kept in memory across a stop and a
 * start. The demo's hospital path runs one; the ITs run one with a validating interceptor
 * ({@link #start(Object...)}). A patient pseudonym named {@value #POISON} is always refused (422),
 * to see a refusal dead-lettered.
 */
public final class LocalFhirServer implements AutoCloseable {

    public static final String POISON = "poison";
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    /** Stored resources by type, then by identifier value; and every request seen. */
    private final Map<String, Map<String, Resource>> stored = new ConcurrentHashMap<>();

    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<Resource>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final int port;
    private Server jetty;

    public LocalFhirServer(int port) {
        this.port = port;
    }

    public String base() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    /** Stored resources by type ({@code Observation}, {@code Flag}), then by identifier value. */
    public Map<String, Map<String, Resource>> stored() {
        return stored;
    }

    /** Every request seen: {@code "Observation <identifier>"}, {@code "Flag search"}, {@code "Flag update <id>"}. */
    public List<String> requests() {
        return requests;
    }

    /** Called with each resource as it is stored (created or updated). */
    public void onStored(Consumer<Resource> listener) {
        listeners.add(listener);
    }

    /** Starts on the port; {@code interceptors} are registered on the RestfulServer (e.g. a validating one). */
    public void start(Object... interceptors) throws Exception {
        RestfulServer servlet = new RestfulServer(FHIR);
        servlet.setResourceProviders(List.of(new Provider<>(Observation.class), new Provider<>(Flag.class)));
        for (Object interceptor : interceptors) {
            servlet.registerInterceptor(interceptor);
        }
        jetty = new Server();
        ServerConnector http = new ServerConnector(jetty);
        http.setHost("127.0.0.1");
        http.setPort(port);
        jetty.addConnector(http);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/fhir/*");
        jetty.setHandler(context);
        jetty.start();
    }

    public void stop() throws Exception {
        jetty.stop();
    }

    @Override
    public void close() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
    }

    /** Conditional create ({@code If-None-Exist: identifier=system|value}) of one resource type. */
    public final class Provider<T extends Resource> implements IResourceProvider {

        private final Class<T> type;

        private Provider(Class<T> type) {
            this.type = type;
        }

        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return type;
        }

        @Create
        public MethodOutcome create(@ResourceParam T resource, @ConditionalUrlParam String conditional) {
            String kind = type.getSimpleName();
            String key = identifier(resource);
            requests.add(kind + " " + key);
            if (subject(resource).equals(POISON)) {
                throw new UnprocessableEntityException("this server refuses patient " + POISON);
            }
            if (conditional == null || !conditional.contains("identifier=")) {
                throw new UnprocessableEntityException("only conditional creates are taken here");
            }
            Map<String, Resource> ofType = stored.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
            Resource earlier = ofType.get(key);
            if (earlier != null) {
                return new MethodOutcome(earlier.getIdElement()).setCreated(false);
            }
            resource.setId(new IdType(kind, String.valueOf(ids.incrementAndGet()), "1"));
            resource.getMeta().setVersionId("1");
            ofType.put(key, resource);
            listeners.forEach(l -> l.accept(resource));
            return new MethodOutcome(resource.getIdElement()).setCreated(true);
        }

        /**
         * Search by {@code subject:identifier=system|value} and {@code identifier=system|[value]} (what
         * alert-out asks when a recovery retires the patient's Flags).
         */
        @Search(allowUnknownParams = true)
        public List<T> search(RequestDetails request) {
            String kind = type.getSimpleName();
            requests.add(kind + " search");
            String subject = first(request, "subject:identifier");
            String identifier = first(request, "identifier");
            List<T> out = new ArrayList<>();
            for (Resource r : stored.getOrDefault(kind, Map.of()).values()) {
                boolean subjectMatches = subject == null || subject.equals(subjectSystem(r) + "|" + subject(r));
                boolean identifierMatches = identifier == null
                        || (identifier.endsWith("|")
                                ? identifier.equals(identifierSystem(r) + "|")
                                : identifier.equals(identifierSystem(r) + "|" + identifier(r)));
                if (subjectMatches && identifierMatches) {
                    out.add(type.cast(r.copy()));
                }
            }
            return out;
        }

        /** Update by id, version-checked when the request says {@code If-Match}. */
        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam T resource, RequestDetails request) {
            String kind = type.getSimpleName();
            Map<String, Resource> ofType = stored.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
            String key = identifier(resource);
            requests.add(kind + " update " + key);
            Resource earlier = ofType.get(key);
            if (earlier == null || !earlier.getIdElement().getIdPart().equals(id.getIdPart())) {
                throw new ResourceNotFoundException(id);
            }
            String ifMatch = request.getHeader("If-Match");
            String version = earlier.getMeta().getVersionId();
            if (ifMatch != null && !ifMatch.replaceAll("^W/\"|\"$", "").equals(version)) {
                throw new PreconditionFailedException("version " + version + " is current, not " + ifMatch);
            }
            String next = String.valueOf(Integer.parseInt(version) + 1);
            resource.setId(new IdType(kind, id.getIdPart(), next));
            resource.getMeta().setVersionId(next);
            ofType.put(key, resource);
            listeners.forEach(l -> l.accept(resource));
            return new MethodOutcome(resource.getIdElement()).setCreated(false);
        }
    }

    private static String first(RequestDetails request, String name) {
        String[] v = request.getParameters().get(name);
        return v == null || v.length == 0 ? null : v[0];
    }

    private static String identifierSystem(Resource r) {
        List<Identifier> ids = r instanceof Observation o ? o.getIdentifier() : ((Flag) r).getIdentifier();
        return ids.isEmpty() ? "" : ids.get(0).getSystem();
    }

    private static String subjectSystem(Resource r) {
        var ref = r instanceof Observation o ? o.getSubject() : ((Flag) r).getSubject();
        return ref.getIdentifier().getSystem();
    }

    private static String identifier(Resource r) {
        List<Identifier> ids = r instanceof Observation o ? o.getIdentifier() : ((Flag) r).getIdentifier();
        return ids.isEmpty() ? "" : ids.get(0).getValue();
    }

    private static String subject(Resource r) {
        var ref = r instanceof Observation o ? o.getSubject() : ((Flag) r).getSubject();
        return ref.getIdentifier().getValue() == null ? "" : ref.getIdentifier().getValue();
    }
}
