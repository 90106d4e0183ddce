/**
 * What real kernels' KVM answered: a {@link dev.regshim.kernel.capture.KvmCapture} per boot (every vCPU feature
 * set's {@code KVM_GET_REG_LIST}, reset values, writable ID-register masks, and the {@code KVM_SET_ONE_REG} results of
 * value trials), its file format ({@link dev.regshim.kernel.capture.CaptureJson}), how a captured set maps onto the
 * kernel table ({@link dev.regshim.kernel.capture.CaptureSpecs}), and the committed captures that are the table's
 * evidence ({@link dev.regshim.kernel.capture.Evidence}). Making captures (booting kernels) is the lab's business.
 * May import {@code kernel}, {@code cpreg} (a capture's KVM write rules), {@code regs} and {@code util}.
 */
package dev.regshim.kernel.capture;
