package dev.rollout.problem;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;

import javax.transaction.xa.XAException;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.transaction.RollbackException;

/** Which failures the API answers 503 database-unavailable rather than 500: the database gone, not a bug. */
class DatabaseUnavailableTest {

    @Test
    void aCommitRefusedBecauseTheServerEndedTheConnectionIsTheDatabaseUnavailable() {
        // As Narayana reports it: the driver's error is suppressed in the RollbackException, not its cause.
        XAException xa = new XAException("Error trying to transactionCommit local transaction: FATAL: terminating "
                + "connection due to administrator command");
        xa.initCause(new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        assertTrue(ProblemMapper.isDatabaseUnavailable(new QuarkusTransactionException(rollback)));
    }

    @Test
    void aCommitRefusedForAnotherReasonIsNot() {
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(new IllegalStateException("a bug in a synchronisation"));
        assertFalse(ProblemMapper.isDatabaseUnavailable(new QuarkusTransactionException(rollback)));
    }

    @Test
    void exceptionsThatReferToEachOtherAreLookedAtOnce() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second", first);
        first.addSuppressed(second);
        assertFalse(ProblemMapper.isDatabaseUnavailable(second));
    }
}
