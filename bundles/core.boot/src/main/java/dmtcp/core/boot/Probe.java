package dmtcp.core.boot;

/**
 * One row of dmtcp_check's answer (like a line of {@code criu check}).
 *
 * @param name what was probed, e.g. {@code ptrace scope}
 * @param status its verdict
 * @param detail what was found
 * @param advice what to do about a WARN or FAIL (empty when there is nothing to do)
 */
public record Probe(String name, Status status, String detail, String advice) {

    /** A probe's verdict: FAIL means checkpointing will not work here. */
    public enum Status { OK, WARN, FAIL }
}
