package dev.regshim.policy;

import dev.regshim.regs.RegId;

import java.util.OptionalLong;

/** A change the policy does not allow, with both values and the (field-level) reason. */
public record Refusal(int vcpu, RegId id, OptionalLong sourceValue, OptionalLong destinationValue, String reason) {
}
