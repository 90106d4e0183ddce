package dev.regshim.plan;

/** A fact about a host class that a profile may not tell: yes, no, or unknown. */
public enum Tri {
    YES, NO, UNKNOWN
}
