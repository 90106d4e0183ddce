package dev.regshim.policy;

import dev.regshim.RegshimException;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;

import java.util.Locale;
import java.util.OptionalLong;

/** A user's declaration that a register's value carries no guest state: {@code REG} (any value) or {@code REG=VALUE}. */
public record InertRule(RegId id, OptionalLong value) {

    public boolean matches(RegId r, long v) {
        return id.equals(r) && (value.isEmpty() || value.getAsLong() == v);
    }

    public static InertRule parse(String text) {
        int eq = text.lastIndexOf('=');
        // "p15 c0 opc1=0 ..." contains '=' too: only split when the right side is a number
        if (eq > 0) {
            String v = text.substring(eq + 1).trim().toLowerCase(Locale.ROOT).replace("_", "");
            if (v.matches("0x[0-9a-f]{1,16}|\\d+")) {
                long value;
                try {
                    value = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseUnsignedLong(v);
                } catch (NumberFormatException e) {
                    throw new RegshimException("bad value in --inert " + text);
                }
                return new InertRule(RegParser.parse(text.substring(0, eq)), OptionalLong.of(value));
            }
        }
        return new InertRule(RegParser.parse(text), OptionalLong.empty());
    }

    @Override
    public String toString() {
        return id.hex() + (value.isPresent() ? String.format("=0x%x", value.getAsLong()) : "");
    }
}
