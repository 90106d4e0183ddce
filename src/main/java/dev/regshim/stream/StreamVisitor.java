package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * Receives a migration stream's structure from a {@link StreamDecoder}, in stream order. Every byte of the input is
 * accounted for by exactly one event, so a visitor that re-encodes the events ({@link StreamWriter}) reproduces the
 * input. ByteBuffer arguments are views into the decoder's input, valid only during the call: copy what you keep.
 */
public interface StreamVisitor {

    /** The file header ({@code QEVM}, version 3). */
    default void header(long offset, int version) {
    }

    default void configuration(Configuration configuration) {
    }

    /** A START, PART or END header of an iterative section (always {@code ram} here). */
    default void sectionStart(SectionHeader header) {
    }

    /** The MEM_SIZE block list of the RAM START section. */
    default void ramBlockList(RamBlockList blocks) {
    }

    /** A ZERO, PAGE or EOS record header; a PAGE's data follows as {@link #ramPageData} calls. */
    default void ramRecord(RamRecord record) {
    }

    /**
     * Whether this visitor reads page data; when false the decoder skips it without making views (asked once, when
     * the decoder is built).
     */
    default boolean wantsPageData() {
        return true;
    }

    /** A piece of the current PAGE record's data (pieces add up to the page size). */
    default void ramPageData(ByteBuffer data) {
    }

    /** The footer of an iterative section. */
    default void sectionFooter(SectionHeader section, long offset) {
    }

    /** A complete FULL device section (header, fields, footer). */
    default void deviceSection(DeviceSection section) {
    }

    default void command(VmCommand command) {
    }

    /** A piece of a PACKAGED command's payload (passed through undecoded). */
    default void packagedData(ByteBuffer data) {
    }

    /** The EOF byte that ends the device state. */
    default void eof(long offset) {
    }

    /** The VMDESCRIPTION trailer. */
    default void vmdesc(Vmdesc vmdesc) {
    }

    /** End of input after a complete stream. */
    default void end(long totalBytes) {
    }
}
