package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * What the stages of one {@link StreamDecoder} share: the visitor and limits, the stream offset of the next input
 * byte, the stage in charge, and the facts one stage learns that another needs (the page geometry from the
 * configuration, the capabilities and commands that change the RAM block list).
 */
final class DecoderContext {

    final StreamVisitor visitor;
    final StreamLimits limits;
    final boolean wantsPageData;

    final HeadDecoder head;
    final RecordDecoder records;
    final RamDecoder ram;
    final DeviceStateDecoder devices;
    final PackagedPayloadDecoder packaged;
    final TrailerDecoder trailer;

    /** Stream offset of the next byte a stage looks at. */
    long pos;
    private DecoderStage stage;

    int pageSize = 1 << WireFormat.DEFAULT_PAGE_BITS;
    long pageMask = pageSize - 1;
    /** x-ignore-shared: every RAM block list entry carries the memory region's address. */
    boolean ignoreShared;
    /** POSTCOPY_ADVISE was sent: block list entries may carry the block's page size. */
    boolean postcopyAdvised;

    /**
     * @param knownVmdesc  the trailer read ahead (device sections are then delimited as they arrive), or null
     * @param ignoreVmdesc walk device sections without any vmdesc
     */
    DecoderContext(StreamVisitor visitor, StreamLimits limits, Vmdesc knownVmdesc, boolean ignoreVmdesc) {
        this.visitor = visitor;
        this.limits = limits;
        this.wantsPageData = visitor.wantsPageData();
        this.head = new HeadDecoder(this);
        this.records = new RecordDecoder(this);
        this.ram = new RamDecoder(this);
        this.devices = new DeviceStateDecoder(this, ignoreVmdesc ? null : knownVmdesc, ignoreVmdesc);
        this.packaged = new PackagedPayloadDecoder(this);
        this.trailer = new TrailerDecoder(this, ignoreVmdesc ? null : knownVmdesc);
        this.stage = head;
    }

    DecoderStage stage() {
        return stage;
    }

    /** Hands the input over to {@code next}. */
    void enter(DecoderStage next) {
        stage = next;
    }

    void setPageBits(int bits) {
        pageSize = 1 << bits;
        pageMask = pageSize - 1;
    }

    /** Consumes {@code n} bytes of {@code in} and returns {@code n}. */
    int consume(ByteBuffer in, int n) {
        in.position(in.position() + n);
        pos += n;
        return n;
    }

    StreamFormatException error(long offset, String detail) {
        return new StreamFormatException(offset, null, detail);
    }

    StreamFormatException error(long offset, String where, String detail) {
        return new StreamFormatException(offset, where, detail);
    }
}
