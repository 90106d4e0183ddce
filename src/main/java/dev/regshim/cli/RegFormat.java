package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.io.PrintWriter;

/** How registers are shown in tables and JSON, the same way in every command. */
public final class RegFormat {

    private RegFormat() {
    }

    /** {@code 0x603000000013c103  TCR2_EL1  S3_0_C2_C0_3}. */
    public static String row(RegId id) {
        RegCatalog cat = RegCatalog.get();
        String name = cat.name(id);
        String enc = cat.encoding(id);
        return String.format("%s  %-29s  %s", id.hex(), name, enc.equals(name) ? "" : enc).stripTrailing();
    }

    /** {@code TCR2_EL1 (0x603000000013c103)}. */
    public static String named(RegId id) {
        return RegCatalog.get().name(id) + " (" + id.hex() + ")";
    }

    public static void printSet(PrintWriter out, String indent, RegSet set) {
        for (RegId id : set) {
            out.println(indent + row(id));
        }
    }

    public static ObjectNode json(RegId id) {
        RegCatalog cat = RegCatalog.get();
        ObjectNode o = Json.object();
        o.put("id", id.hex());
        o.put("name", cat.name(id));
        o.put("class", id.regClass().label());
        o.put("encoding", cat.encoding(id));
        return o;
    }

    public static ArrayNode json(RegSet set) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (RegId id : set) {
            a.add(json(id));
        }
        return a;
    }
}
