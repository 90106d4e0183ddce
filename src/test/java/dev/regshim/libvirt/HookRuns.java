package dev.regshim.libvirt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs scripts/libvirt-hook-qemu as libvirt does: its arguments, the domain XML on standard input. */
final class HookRuns {

    private HookRuns() {
    }

    /** regshim as the hook's REGSHIM setting: this JVM with the test class path (no jar is built yet in mvn test). */
    static String regshimCommand() {
        return ProcessHandle.current().info().command().orElse("java") + " -cp " + System.getProperty("java.class.path")
                + " dev.regshim.cli.Main";
    }

    /** "exit N\n" + standard error + "---\n" + standard output. */
    static String run(Path dir, String domain, String operation, String xml, Map<String, String> env) throws Exception {
        Path in = dir.resolve("hook-in.xml");
        Files.writeString(in, xml);
        ProcessBuilder pb = new ProcessBuilder(List.of("scripts/libvirt-hook-qemu", domain, operation, "begin", "-"))
                .redirectInput(in.toFile());
        pb.environment().put("REGSHIM", regshimCommand());
        pb.environment().put("REGSHIM_HOOK_CONF", dir.resolve("no-hook.conf").toString()); // not an operator's settings
        for (String k : List.of("REGSHIM_PLAN_XML", "REGSHIM_FLEET", "REGSHIM_HOST_PROFILE")) {
            pb.environment().put(k, dir.resolve("not-configured-" + k).toString());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return "exit " + p.exitValue() + "\n" + new String(err.join(), StandardCharsets.UTF_8) + "---\n" + out;
    }
}
