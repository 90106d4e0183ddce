package dev.regshim.stream;

/**
 * A device section delimited and decoded from a buffer, and the buffer index just after its footer.
 *
 * @param section the section
 * @param end     the index after its footer
 */
record WalkedSection(DeviceSection section, int end) {
}
