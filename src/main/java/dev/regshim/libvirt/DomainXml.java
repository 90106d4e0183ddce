package dev.regshim.libvirt;

import dev.regshim.plan.CompatEmitter;
import dev.regshim.util.Text;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What regshim reads of a libvirt domain XML: name, domain type (kvm / qemu), guest architecture and machine type,
 * the CPU, the emulator, the {@code <qemu:commandline>} arguments (and the register lists they set), and the comments
 * at the top level (a plan fragment's NOT ACCEPTED mark). The text is kept: {@link #withArgs} edits it in place, the
 * way libvirt formatted it, and re-reads the result.
 */
public final class DomainXml {

    /** Domain XML is a few kilobytes; a save image's XML area is bounded by libvirt far below this. */
    public static final int MAX_CHARS = 4 << 20;
    static final String ARCH_AARCH64 = "aarch64";

    private final String text;
    private final String where;
    private final String name;
    private final String type;
    private final String arch;
    private final String machine;
    private final String cpuMode;
    private final String cpuModel;
    private final String emulator;
    private final List<String> args;
    private final List<String> comments;

    private DomainXml(String text, String where, Element root, List<String> comments) {
        this.text = text;
        this.where = where;
        this.name = childText(root, "name");
        this.type = attr(root, "type");
        Element os = child(root, "os");
        Element osType = os == null ? null : child(os, "type");
        this.arch = osType == null ? null : attr(osType, "arch");
        this.machine = osType == null ? null : attr(osType, "machine");
        Element cpu = child(root, "cpu");
        this.cpuMode = cpu == null ? null : attr(cpu, "mode");
        this.cpuModel = cpu == null ? null : childText(cpu, "model");
        Element devices = child(root, "devices");
        this.emulator = devices == null ? null : childText(devices, "emulator");
        this.args = new ArrayList<>();
        NodeList cls = root.getElementsByTagNameNS(CompatEmitter.LIBVIRT_QEMU_NS, "commandline");
        for (int i = 0; i < cls.getLength(); i++) {
            NodeList as = ((Element) cls.item(i)).getElementsByTagNameNS(CompatEmitter.LIBVIRT_QEMU_NS, "arg");
            for (int j = 0; j < as.getLength(); j++) {
                args.add(((Element) as.item(j)).getAttribute("value"));
            }
        }
        this.comments = comments;
    }

    /** Parses domain XML; {@code where} names it in errors (a file, "standard input", "domain NAME"). */
    public static DomainXml parse(String text, String where) {
        if (text.length() > MAX_CHARS) {
            throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": domain XML longer than " + MAX_CHARS + " characters");
        }
        Document doc;
        try {
            DocumentBuilder b = factory().newDocumentBuilder();
            b.setErrorHandler(THROWING);
            doc = b.parse(new InputSource(new StringReader(text)));
        } catch (SAXParseException e) {
            throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": not domain XML: line " + e.getLineNumber()
                    + ", column " + e.getColumnNumber() + ": " + Text.oneLine(e.getMessage(), 120));
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": not domain XML: " + Text.oneLine(String.valueOf(e.getMessage()), 120));
        }
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getLocalName())) {
            throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": the root element is <"
                    + Text.safe(root.getNodeName(), 40) + ">, not <domain>");
        }
        List<String> comments = new ArrayList<>();
        for (Node n = doc.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.COMMENT_NODE) {
                comments.add(n.getNodeValue());
            }
        }
        return new DomainXml(text, where, root, comments);
    }

    /**
     * A plan's libvirt fragment ({@code regshim plan --emit libvirt}): a {@code <domain>} with the lists, or only
     * comments when the plan has nothing to add (read as an empty domain with those comments).
     */
    public static DomainXml parsePlan(String text, String where) {
        boolean onlyComments = text.replaceAll("(?s)<!--.*?-->", "").isBlank();
        return parse(onlyComments ? text + "<domain/>\n" : text, where);
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true); // no entities, no external files
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        return f;
    }

    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private static Element child(Element parent, String local) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNamespaceURI() == null && local.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static String childText(Element parent, String local) {
        Element e = child(parent, local);
        return e == null ? null : e.getTextContent().strip();
    }

    private static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    public String text() {
        return text;
    }

    public String where() {
        return where;
    }

    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** {@code kvm} or {@code qemu} (TCG). */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    public Optional<String> arch() {
        return Optional.ofNullable(arch);
    }

    public boolean isAarch64() {
        return ARCH_AARCH64.equals(arch);
    }

    public Optional<String> machine() {
        return Optional.ofNullable(machine);
    }

    /** The accelerator QEMU runs the domain with: {@code kvm} for type kvm, otherwise {@code tcg}. */
    public String accel() {
        return "kvm".equals(type) ? "kvm" : "tcg";
    }

    /**
     * The CPU model as QEMU's {@code -cpu} names it: {@code host} for host-passthrough and host-model (what libvirt
     * runs on aarch64), {@code max} for maximum, the model for a custom CPU; empty when the XML names none (QEMU's machine default).
     */
    public Optional<String> qemuCpuModel() {
        if ("host-passthrough".equals(cpuMode) || "host-model".equals(cpuMode)) {
            return Optional.of("host");
        }
        if ("maximum".equals(cpuMode)) {
            return Optional.of("max");
        }
        return Optional.ofNullable(cpuModel).filter(m -> !m.isEmpty()).map(m -> m.toLowerCase(Locale.ROOT));
    }

    public Optional<String> emulator() {
        return Optional.ofNullable(emulator);
    }

    /** The {@code <qemu:commandline>} arguments, in order. */
    public List<String> args() {
        return List.copyOf(args);
    }

    public RegisterLists registerLists() {
        return RegisterLists.of(args, where);
    }

    /** Comments before and after the root element (not inside it). */
    public List<String> topLevelComments() {
        return List.copyOf(comments);
    }

    /**
     * This XML with {@code add} appended to its {@code <qemu:commandline>} (created, with the namespace on
     * {@code <domain>}, when there is none), as libvirt formats it. The result is parsed again and must carry exactly
     * the old arguments followed by {@code add}.
     */
    public DomainXml withArgs(List<String> add) {
        StringBuilder argXml = new StringBuilder();
        for (String a : add) {
            argXml.append("    <qemu:arg value='").append(CompatEmitter.xmlAttr(a)).append("'/>\n");
        }
        String t = text;
        int rootStart = t.indexOf("<domain");
        int rootEnd = rootStart < 0 ? -1 : t.indexOf('>', rootStart);
        if (rootEnd < 0) {
            throw cannotEdit("no <domain> start tag");
        }
        if (!t.substring(rootStart, rootEnd).contains("xmlns:qemu=")) {
            t = t.substring(0, rootStart) + "<domain xmlns:qemu='" + CompatEmitter.LIBVIRT_QEMU_NS + "'"
                    + t.substring(rootStart + "<domain".length());
        }
        int close = t.lastIndexOf("</qemu:commandline>");
        if (close >= 0) {
            int lineStart = t.lastIndexOf('\n', close) + 1;
            t = t.substring(0, lineStart) + argXml + t.substring(lineStart);
        } else {
            int end = t.lastIndexOf("</domain>");
            if (end < 0) {
                throw cannotEdit("no </domain> end tag");
            }
            int lineStart = t.lastIndexOf('\n', end) + 1;
            String block = "  <qemu:commandline>\n" + argXml + "  </qemu:commandline>\n";
            t = lineStart > 0 && t.substring(lineStart, end).isBlank()
                    ? t.substring(0, lineStart) + block + t.substring(lineStart)
                    : t.substring(0, end) + "\n" + block + t.substring(end);
        }
        DomainXml edited = parse(t, where);
        List<String> expected = new ArrayList<>(args);
        expected.addAll(add);
        if (!edited.args().equals(expected)) {
            throw cannotEdit("the edited XML does not carry the arguments as expected");
        }
        return edited;
    }

    private LibvirtException cannotEdit(String why) {
        return new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": cannot add <qemu:commandline> arguments: " + why);
    }
}
