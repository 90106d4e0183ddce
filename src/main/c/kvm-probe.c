/*
 * kvm-probe: regshim's /init for a kernel-capture boot. It asks the booted kernel's KVM, through its ioctl ABI only,
 * what a vCPU of each requested feature set exposes, prints the answers on the console and powers the machine off.
 *
 * Input: the kernel command line. "regshim.sets=NAME:FEATURES[:mte],..." lists the vCPU feature sets to probe:
 * FEATURES is the hex bitmap of KVM_ARM_VCPU_INIT features[0], ":mte" asks for a VM with KVM_CAP_ARM_MTE.
 *
 * Output (protocol 1): lines "@@ WORD ARGS..." on stdout, everything else on the console is noise to the reader.
 *   @@ probe 1                                   first line
 *   @@ release R / @@ uname-version V / @@ cmdline C / @@ midr HEX
 *   @@ kvm api N | @@ kvm absent ERRNO
 *   @@ cap NAME N                                 KVM_CHECK_EXTENSION on /dev/kvm
 *   @@ set NAME begin FEATURES MTE
 *   @@ set NAME refused STEP ERRNO                 the kernel refused the set at STEP (vm, mte, vcpu, init, ...)
 *   @@ target N                                   KVM_ARM_PREFERRED_TARGET
 *   @@ reg ID VALUE | @@ reg ID !ERRNO             KVM_GET_REG_LIST order; VALUE is the register's full width in hex
 *   @@ mask INDEX HEX                             KVM_ARM_GET_REG_WRITABLE_MASKS, non-zero entries only
 *   @@ set NAME end COUNT CRC32 MS                COUNT registers; CRC32 over the "reg" lines of the set; MS: the
 *                                                 milliseconds since boot when the set ended
 *   @@ boot-ms MS                                 milliseconds since boot when the probe started
 *   @@ try LABEL begin SET / @@ try ID ok / @@ try ID !ERRNO / @@ try LABEL end COUNT
 *                                                 with /try.txt: see try_values()
 *   @@ done
 * Every failing call is reported with its errno; the probe never stops early (the Java side decides what a
 * refusal means). Written for regshim; the constants are the kernel's uapi values.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define KVMIO 0xAE

struct probe_one_reg { uint64_t id; uint64_t addr; };
struct probe_vcpu_init { uint32_t target; uint32_t features[7]; };
struct probe_reg_list { uint64_t n; uint64_t reg[]; };
struct probe_enable_cap { uint32_t cap; uint32_t flags; uint64_t args[4]; uint8_t pad[64]; };
struct probe_mask_range { uint64_t addr; uint32_t range; uint32_t reserved[13]; };

#define P_GET_API_VERSION _IO(KVMIO, 0x00)
#define P_CREATE_VM _IO(KVMIO, 0x01)
#define P_CHECK_EXTENSION _IO(KVMIO, 0x03)
#define P_CREATE_VCPU _IO(KVMIO, 0x41)
#define P_ENABLE_CAP _IOW(KVMIO, 0xa3, struct probe_enable_cap)
#define P_GET_ONE_REG _IOW(KVMIO, 0xab, struct probe_one_reg)
#define P_SET_ONE_REG _IOW(KVMIO, 0xac, struct probe_one_reg)
#define P_ARM_VCPU_INIT _IOW(KVMIO, 0xae, struct probe_vcpu_init)
#define P_ARM_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct probe_vcpu_init)
#define P_GET_REG_LIST _IOWR(KVMIO, 0xb0, struct probe_reg_list)
#define P_ARM_GET_REG_WRITABLE_MASKS _IOR(KVMIO, 0xb6, struct probe_mask_range)
#define P_ARM_VCPU_FINALIZE _IOW(KVMIO, 0xc2, int)

#define FEATURE_SVE 4
#define CAP_ARM_MTE 205
#define MASK_RANGE_SIZE (3 * 8 * 8)
#define MAX_REG_BYTES 256 /* U2048, the widest register KVM defines */
#define MAX_SETS 32

static const struct { const char *name; int cap; } CAPS[] = {
    {"PMU_V3", 126}, {"VM_IPA_SIZE", 165}, {"SVE", 170}, {"PTRAUTH_ADDRESS", 171}, {"PTRAUTH_GENERIC", 172},
    {"MTE", 205}, {"SUPPORTED_REG_MASK_RANGES", 230}, {"WRITABLE_IMP_ID_REGS", 239}, {"EL2", 240},
    {"EL2_E2H0", 241},
};

struct set { char name[64]; uint32_t features; int mte; };

static uint32_t crc_table[256];

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_BOOTTIME, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const char *s) {
    crc = ~crc;
    for (; *s; s++) crc = crc_table[(crc ^ (uint8_t) *s) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* Prints one protocol line; for "reg" lines also folds the text (without the newline) into the set's CRC. */
static uint32_t emit(uint32_t crc, int fold, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static uint32_t emit(uint32_t crc, int fold, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("@@ %s\n", buf);
    return fold ? crc_update(crc, buf) : crc;
}

static void read_line_file(const char *path, char *out, size_t size) {
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) n = 0;
    out[n] = 0;
    for (ssize_t i = 0; i < n; i++) if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
    while (n > 0 && out[n - 1] == ' ') out[--n] = 0;
}

static int parse_sets(const char *cmdline, struct set *sets) {
    const char *p = strstr(cmdline, "regshim.sets=");
    if (!p) return 0;
    p += strlen("regshim.sets=");
    int n = 0;
    while (*p && *p != ' ' && n < MAX_SETS) {
        struct set *s = &sets[n];
        memset(s, 0, sizeof *s);
        size_t i = 0;
        while (*p && *p != ':' && *p != ',' && *p != ' ' && i < sizeof s->name - 1) s->name[i++] = *p++;
        if (*p != ':') return -1;
        p++;
        char *end;
        s->features = (uint32_t) strtoul(p, &end, 16);
        p = end;
        if (strncmp(p, ":mte", 4) == 0) { s->mte = 1; p += 4; }
        n++;
        if (*p == ',') p++;
    }
    return n;
}

/* A VM and an initialised (and, with SVE, finalised) vCPU of the set; -1 after reporting the refusal as WHAT. */
static int new_vcpu(int kvm, const struct set *s, const char *what, int *vm_out) {
    int vm = ioctl(kvm, P_CREATE_VM, 0);
    if (vm < 0) { emit(0, 0, "%s %s refused vm %d", what, s->name, errno); return -1; }
    *vm_out = vm;
    if (s->mte) {
        struct probe_enable_cap c;
        memset(&c, 0, sizeof c);
        c.cap = CAP_ARM_MTE;
        if (ioctl(vm, P_ENABLE_CAP, &c) < 0) { emit(0, 0, "%s %s refused mte %d", what, s->name, errno); return -1; }
    }
    int vcpu = ioctl(vm, P_CREATE_VCPU, 0);
    if (vcpu < 0) { emit(0, 0, "%s %s refused vcpu %d", what, s->name, errno); return -1; }
    struct probe_vcpu_init init;
    memset(&init, 0, sizeof init);
    if (ioctl(vm, P_ARM_PREFERRED_TARGET, &init) < 0) {
        emit(0, 0, "%s %s refused target %d", what, s->name, errno);
        return -1;
    }
    if (what[0] == 's') emit(0, 0, "target %u", init.target);
    init.features[0] = s->features;
    if (ioctl(vcpu, P_ARM_VCPU_INIT, &init) < 0) { emit(0, 0, "%s %s refused init %d", what, s->name, errno); return -1; }
    if (s->features & (1u << FEATURE_SVE)) {
        int sve = FEATURE_SVE;
        if (ioctl(vcpu, P_ARM_VCPU_FINALIZE, &sve) < 0) {
            emit(0, 0, "%s %s refused finalize %d", what, s->name, errno);
            return -1;
        }
    }
    return vcpu;
}

/*
 * /try.txt: sections "set NAME LABEL" followed by "ID VALUE" lines (hex). Each section gets a fresh VM and vCPU of set
 * NAME, and every value is written with KVM_SET_ONE_REG in file order, as QEMU writes its cpreg list after a
 * migration; each result is reported.
 */
static void try_values(int kvm, const struct set *sets, int n) {
    FILE *f = fopen("/try.txt", "r");
    if (!f) return;
    char line[256], name[64], label[64], current[64] = "";
    int vcpu = -1, count = 0, open_section = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "set %63s %63s", name, label) == 2) {
            if (open_section) emit(0, 0, "try %s end %d", current, count);
            snprintf(current, sizeof current, "%s", label);
            const struct set *s = NULL;
            for (int i = 0; i < n; i++) if (strcmp(sets[i].name, name) == 0) s = &sets[i];
            count = 0;
            open_section = 0;
            vcpu = -1;
            if (!s) { emit(0, 0, "error /try.txt names set %s that was not asked for", name); continue; }
            emit(0, 0, "try %s begin %s", label, s->name);
            int vm = -1;
            vcpu = new_vcpu(kvm, s, "try", &vm);
            open_section = vcpu >= 0;
            continue;
        }
        unsigned long long id, value;
        if (!open_section || sscanf(line, "%llx %llx", &id, &value) != 2) continue;
        unsigned size = 1u << ((id >> 52) & 0xf);
        uint32_t v32 = (uint32_t) value;
        struct probe_one_reg r = {id, size == 4 ? (uint64_t) (uintptr_t) &v32 : (uint64_t) (uintptr_t) &value};
        if (size != 4 && size != 8) emit(0, 0, "try %016llx !%d", id, EINVAL);
        else if (ioctl(vcpu, P_SET_ONE_REG, &r) < 0) emit(0, 0, "try %016llx !%d", id, errno);
        else emit(0, 0, "try %016llx ok", id);
        count++;
        fflush(stdout);
    }
    if (open_section) emit(0, 0, "try %s end %d", current, count);
    fclose(f);
}

static void probe_set(int kvm, const struct set *s) {
    emit(0, 0, "set %s begin %x %d", s->name, s->features, s->mte);
    int vm = -1;
    int vcpu = new_vcpu(kvm, s, "set", &vm);
    if (vcpu < 0) return;
    struct probe_reg_list sizing = {0};
    if (ioctl(vcpu, P_GET_REG_LIST, &sizing) == 0 || errno != E2BIG) {
        emit(0, 0, "set %s refused reglist-size %d", s->name, errno);
        goto out;
    }
    struct probe_reg_list *list = calloc(1, sizeof *list + sizing.n * sizeof(uint64_t));
    if (!list) { emit(0, 0, "set %s refused memory %d", s->name, ENOMEM); goto out; }
    list->n = sizing.n;
    if (ioctl(vcpu, P_GET_REG_LIST, list) < 0) {
        emit(0, 0, "set %s refused reglist %d", s->name, errno);
        free(list);
        goto out;
    }
    uint32_t crc = 0;
    for (uint64_t i = 0; i < list->n; i++) {
        uint64_t id = list->reg[i];
        unsigned size = 1u << ((id >> 52) & 0xf);
        unsigned char value[MAX_REG_BYTES];
        memset(value, 0, sizeof value);
        struct probe_one_reg r = {id, (uint64_t) (uintptr_t) value};
        if (size > MAX_REG_BYTES) {
            crc = emit(crc, 1, "reg %016llx !%d", (unsigned long long) id, EINVAL);
            continue;
        }
        if (ioctl(vcpu, P_GET_ONE_REG, &r) < 0) {
            crc = emit(crc, 1, "reg %016llx !%d", (unsigned long long) id, errno);
            continue;
        }
        char hex[2 * MAX_REG_BYTES + 1];
        for (unsigned b = 0; b < size; b++) snprintf(hex + 2 * b, 3, "%02x", value[size - 1 - b]);
        crc = emit(crc, 1, "reg %016llx %s", (unsigned long long) id, hex);
    }
    uint64_t masks[MASK_RANGE_SIZE];
    memset(masks, 0, sizeof masks);
    struct probe_mask_range range;
    memset(&range, 0, sizeof range);
    range.addr = (uint64_t) (uintptr_t) masks;
    if (ioctl(vm, P_ARM_GET_REG_WRITABLE_MASKS, &range) == 0) {
        for (int i = 0; i < MASK_RANGE_SIZE; i++)
            if (masks[i]) emit(0, 0, "mask %d %016llx", i, (unsigned long long) masks[i]);
    }
    emit(0, 0, "set %s end %llu %08x %lld", s->name, (unsigned long long) list->n, crc, now_ms());
    free(list);
out:
    /* The VM stays open: tearing down a nested-virt VM takes seconds under emulation, and power-off frees it. */
    (void) vcpu;
}

int main(void) {
    mkdir("/dev", 0755);
    mkdir("/proc", 0555);
    mkdir("/sys", 0555);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    crc_init();

    struct utsname u;
    uname(&u);
    char cmdline[4096], midr[64];
    read_line_file("/proc/cmdline", cmdline, sizeof cmdline);
    read_line_file("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", midr, sizeof midr);
    emit(0, 0, "probe 1");
    emit(0, 0, "boot-ms %lld", now_ms());
    emit(0, 0, "release %s", u.release);
    emit(0, 0, "uname-version %s", u.version);
    emit(0, 0, "cmdline %s", cmdline);
    if (midr[0]) emit(0, 0, "midr %s", midr);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        emit(0, 0, "kvm absent %d", errno);
    } else {
        emit(0, 0, "kvm api %d", ioctl(kvm, P_GET_API_VERSION, 0));
        for (unsigned i = 0; i < sizeof CAPS / sizeof *CAPS; i++)
            emit(0, 0, "cap %s %d", CAPS[i].name, ioctl(kvm, P_CHECK_EXTENSION, CAPS[i].cap));
        struct set sets[MAX_SETS];
        int n = parse_sets(cmdline, sets);
        if (n < 0) emit(0, 0, "error bad regshim.sets");
        for (int i = 0; i < n; i++) {
            probe_set(kvm, &sets[i]);
            fflush(stdout);
        }
        try_values(kvm, sets, n);
    }
    emit(0, 0, "done");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
