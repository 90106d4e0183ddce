package dev.regshim.qemu;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An asynchronous QMP event, e.g. {@code {"event": "MIGRATION", "data": {"status": "completed"}, "timestamp": ...}}.
 *
 * @param data the event's {@code data} object (an empty object when QEMU sent none)
 * @param timestampMicros QEMU's timestamp in microseconds since the epoch, or -1 when absent
 */
public record QmpEvent(String name, JsonNode data, long timestampMicros) {

    /** {@code data.<field>} as text, or "" when absent: enough for the status/reason fields tests look at. */
    public String dataText(String field) {
        JsonNode n = data.get(field);
        return n == null || n.isNull() ? "" : n.asText();
    }
}
