package dev.regshim.plan;

import dev.regshim.check.CheckResult;

import java.util.List;

/**
 * One direction of a migration matrix, between two host classes: the model's result and what it means.
 *
 * @param headline   one line: the first QEMU error, or what the load does
 * @param problems   why the direction fails or loses state (empty when it loads)
 * @param conditions value conditions under which it loads
 * @param fix        what the plan does (before) or what to do instead (after), empty when nothing is needed
 */
public record Cell(int from, int to, CheckResult result, CellVerdict verdict, String headline, List<String> problems,
                   List<String> conditions, List<Involved> involved, String fix) {

    public Cell {
        problems = List.copyOf(problems);
        conditions = List.copyOf(conditions);
        involved = List.copyOf(involved);
    }
}
