-- =============================================================================
-- 0001_orleans.sql -- Mirror.Orleans schema for the Orleans 10.4.2 ADO.NET
-- providers (clustering, grain persistence, reminders) on PostgreSQL.
--
-- Written for this project. The providers ship no SQL; what they need from the
-- database is a fixed contract, and that contract is all we share with the
-- reference scripts in the Orleans repository:
--   * a table OrleansQuery(QueryKey, QueryText) that each provider reads once
--     at start-up ("SELECT QueryKey, QueryText FROM OrleansQuery");
--   * for every key, a statement that accepts the provider's named parameters
--     (Npgsql named placeholders, e.g. DeploymentId) and returns the columns the
--     provider reads back by name;
--   * the table and column names those statements touch.
-- Everything else (types, indexes, helper functions, how a statement reaches
-- its result) is ours.
--
-- Deliberate differences from the reference scripts:
--   * OrleansStorage has a UNIQUE key, and a first write (no ETag) goes through
--     INSERT ... ON CONFLICT DO NOTHING. Two racing first writes therefore give
--     one row; the loser gets NULL back, which Orleans turns into an
--     InconsistentStateException instead of silently forking the state.
--   * OrleansRemindersTable.GrainId is text (long string grain keys fit).
--   * Membership writes claim the table version first and undo that claim if
--     the row change does not happen, so a failed write never bumps the
--     version. IAmAliveTime only ever moves forward.
--   * Defunct-silo cleanup only removes rows of Dead silos. Both the bulk key
--     (CleanupDefunctSiloEntriesKey, required) and the per-row key that 10.4.2
--     prefers when present (CleanupDefunctSiloEntryKey) are defined.
--   * Query texts are dollar-quoted so they read as plain SQL.
--   * insert_membership takes no MetadataJson: 10.4.2 does not send it.
--
-- How it is run: our migrator sends this whole file as ONE Npgsql command,
-- inside a transaction, once per database. So: no psql meta-commands, and no
-- "at" placeholders outside string literals (Npgsql would see them as
-- parameters). All identifiers are unquoted and fold to lower case, which is
-- what the providers' queries expect.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- Query catalogue
-- -----------------------------------------------------------------------------

-- Each provider loads this table once when it starts and keeps the texts for
-- the life of the process. Changing a text here takes effect only when silos
-- and clients restart.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);


-- =============================================================================
-- Clustering (Microsoft.Orleans.Clustering.AdoNet)
-- =============================================================================

-- One row per cluster (DeploymentId = ClusterId). Version is the membership
-- table's ETag: every membership change must name the version it saw and bump
-- it, which is how Orleans detects concurrent membership edits.
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation). Status holds the
-- numeric SiloStatus (3 = Active, 6 = Dead). SuspectTimes is the provider's own
-- "silo,date|silo,date" encoding of suspicion votes; we store it verbatim.
-- Times keep millisecond precision, matching what Orleans formats and parses.
CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo row under optimistic concurrency. Returns 1 on success, 0 when
-- the caller's version is stale or the silo row already exists.
--
-- The version row is updated first: that both validates the caller's ETag and
-- takes the row lock that serialises all membership writers of the cluster.
-- If the insert then finds the row already present we raise a private
-- SQLSTATE; the handler of this block rolls the block back to its implicit
-- savepoint, so the version bump disappears together with the failed insert.
CREATE FUNCTION insert_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE OrleansMembershipVersionTable AS v
       SET Version   = v.Version + 1,
           Timestamp = now()
     WHERE v.DeploymentId = p_deployment_id
       AND v.Version      = p_version;

    IF NOT FOUND THEN
        RETURN 0;   -- stale ETag (or unknown cluster): nothing was changed
    END IF;

    INSERT INTO OrleansMembershipTable AS m
           (DeploymentId, Address, Port, Generation, SiloName, HostName,
            Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name,
            p_status, p_proxy_port, p_start_time, p_i_am_alive_time)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'membership row already present' USING ERRCODE = 'OR001';
    END IF;

    RETURN 1;
EXCEPTION
    WHEN SQLSTATE 'OR001' THEN
        RETURN 0;   -- version bump above has been rolled back with the block
END
$body$;

-- Changes status / suspicion votes / heartbeat of an existing silo row under
-- optimistic concurrency. Same shape as insert_membership: claim the version,
-- change the row, and undo the claim when the row is missing. The heartbeat is
-- never moved backwards, so a late, older write cannot make a silo look stale.
CREATE FUNCTION update_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE OrleansMembershipVersionTable AS v
       SET Version   = v.Version + 1,
           Timestamp = now()
     WHERE v.DeploymentId = p_deployment_id
       AND v.Version      = p_version;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable AS m
       SET Status       = p_status,
           SuspectTimes = p_suspect_times,
           IAmAliveTime = greatest(m.IAmAliveTime, p_i_am_alive_time)
     WHERE m.DeploymentId = p_deployment_id
       AND m.Address      = p_address
       AND m.Port         = p_port
       AND m.Generation   = p_generation;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'membership row missing' USING ERRCODE = 'OR001';
    END IF;

    RETURN 1;
EXCEPTION
    WHEN SQLSTATE 'OR001' THEN
        RETURN 0;
END
$body$;

-- The provider calls this once per start to make sure the cluster has its
-- version row. It reads a single value: 1 if it created the row, 0 if the row
-- was already there (both are fine for Orleans).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM created;
$q$);

-- Single value: 1 = inserted, 0 = version conflict / duplicate.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
SELECT insert_membership(
    @DeploymentId::text,
    @Address::text,
    @Port::integer,
    @Generation::integer,
    @SiloName::text,
    @HostName::text,
    @Status::integer,
    @ProxyPort::integer,
    @StartTime::timestamptz,
    @IAmAliveTime::timestamptz,
    @Version::integer);
$q$);

-- Single value: 1 = updated, 0 = version conflict / unknown silo.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
SELECT update_membership(
    @DeploymentId::text,
    @Address::text,
    @Port::integer,
    @Generation::integer,
    @Status::integer,
    @SuspectTimes::text,
    @IAmAliveTime::timestamptz,
    @Version::integer);
$q$);

-- Heartbeat. Not versioned (Orleans does not check the result); monotonic for
-- the same reason as in update_membership.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
   SET IAmAliveTime = greatest(IAmAliveTime, @IAmAliveTime::timestamptz)
 WHERE DeploymentId = @DeploymentId
   AND Address      = @Address
   AND Port         = @Port
   AND Generation   = @Generation;
$q$);

-- One silo's row plus the table version. Starting from the version table keeps
-- one row in the result (with NULL silo columns) when the silo is not listed,
-- because the provider takes the ETag from the first row it gets.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
SELECT v.DeploymentId,
       m.Address,
       m.Port,
       m.Generation,
       m.SiloName,
       m.HostName,
       m.Status,
       m.ProxyPort,
       m.SuspectTimes,
       m.StartTime,
       m.IAmAliveTime,
       v.Version
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address      = @Address
        AND m.Port         = @Port
        AND m.Generation   = @Generation
 WHERE v.DeploymentId = @DeploymentId;
$q$);

-- Every silo row of the cluster plus the table version (same outer-join idea).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
SELECT v.DeploymentId,
       m.Address,
       m.Port,
       m.Generation,
       m.SiloName,
       m.HostName,
       m.Status,
       m.ProxyPort,
       m.SuspectTimes,
       m.StartTime,
       m.IAmAliveTime,
       v.Version
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m
         ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId;
$q$);

-- Used by clients and silos to find gateways; the provider passes Status = 3
-- (Active) and builds the endpoint from Address, ProxyPort and Generation.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
SELECT Address,
       ProxyPort,
       Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status       = @Status
   AND ProxyPort    > 0;
$q$);

-- Drops a whole cluster (tests / tooling). Silo rows go first because of the
-- foreign key to the version row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable        WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$);

-- Bulk clean-up of defunct silos; the provider requires this key. 10.4.2 only
-- uses it when CleanupDefunctSiloEntryKey (below) is absent. We only ever
-- delete Dead (6) rows that neither started nor sent a heartbeat after the
-- cut-off the provider passes as IAmAliveTime; live or joining silos stay.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status       = 6
   AND IAmAliveTime < @IAmAliveTime::timestamptz
   AND StartTime    < @IAmAliveTime::timestamptz;
$q$);

-- Per-row clean-up, preferred by 10.4.2 when present. The provider reads the
-- table, picks Dead rows that are old enough (including their suspicion
-- votes), and sends back the values it saw. The row is removed only if it is
-- still exactly that row, so a concurrent change to it wins over the delete.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Address      = @Address
   AND Port         = @Port
   AND Generation   = @Generation
   AND Status       = 6
   AND StartTime    = @StartTime::timestamptz
   AND IAmAliveTime = @IAmAliveTime::timestamptz
   AND coalesce(SuspectTimes, '') = coalesce(@SuspectTimes::text, '');
$q$);


-- =============================================================================
-- Grain persistence (Microsoft.Orleans.Persistence.AdoNet)
-- =============================================================================

-- One row per (service, grain type, grain id). The provider identifies a grain
-- by two hashes plus the exact values; the hashes are only there to keep the
-- index narrow and selective. Version is the state's ETag. A cleared state
-- keeps its row (PayloadBinary NULL) so the version keeps counting, unless the
-- provider runs with DeleteStateOnClear.
--
-- GrainIdExtensionString carries string keys and key extensions and is text so
-- long keys fit; note that a B-tree entry is limited to roughly 2.7 kB, which
-- therefore bounds the key length in practice.
CREATE TABLE OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString text         NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NULL
);

-- The real identity of a state row. The extension is folded with coalesce so
-- that "no extension" is one value for uniqueness (NULLs would never collide).
-- Every storage query below filters with exactly these expressions so that
-- this index serves them, and the write function names them in ON CONFLICT.
CREATE UNIQUE INDEX UX_OrleansStorage_Grain
    ON OrleansStorage (ServiceId, GrainTypeHash, GrainIdHash, GrainIdN0, GrainIdN1,
                       GrainTypeString, (coalesce(GrainIdExtensionString, '')));

-- Writes a grain state. Returns the new version, or something Orleans will
-- reject as a version conflict:
--   * ETag given  -> update only if the stored version still equals it; on
--     success return version + 1, otherwise return the caller's version
--     unchanged (Orleans compares and raises InconsistentStateException).
--   * no ETag     -> this is meant to be the first write. Insert version 1 and
--     let the unique index arbitrate: if another writer got there first (even
--     concurrently, still uncommitted) ON CONFLICT makes this a no-op and we
--     return NULL, which Orleans also treats as a conflict. No second row can
--     appear.
CREATE FUNCTION writetostorage(
    _grainidhash            integer,
    _grainidn0              bigint,
    _grainidn1              bigint,
    _graintypehash          integer,
    _graintypestring        text,
    _grainidextensionstring text,
    _serviceid              text,
    _grainstateversion      integer,
    _payloadbinary          bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql
AS $body$
DECLARE
    stored_version integer;
BEGIN
    IF _grainstateversion IS NULL THEN
        INSERT INTO OrleansStorage AS s
               (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
                GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES (_grainidhash, _grainidn0, _grainidn1, _graintypehash, _graintypestring,
                _grainidextensionstring, _serviceid, _payloadbinary, now(), 1)
        ON CONFLICT (ServiceId, GrainTypeHash, GrainIdHash, GrainIdN0, GrainIdN1,
                     GrainTypeString, (coalesce(GrainIdExtensionString, '')))
        DO NOTHING
        RETURNING s.Version INTO stored_version;
        -- stored_version stays NULL when the key was already taken.
    ELSE
        UPDATE OrleansStorage AS s
           SET PayloadBinary = _payloadbinary,
               ModifiedOn    = now(),
               Version       = s.Version + 1
         WHERE s.ServiceId       = _serviceid
           AND s.GrainTypeHash   = _graintypehash
           AND s.GrainIdHash     = _grainidhash
           AND s.GrainIdN0       = _grainidn0
           AND s.GrainIdN1       = _grainidn1
           AND s.GrainTypeString = _graintypestring
           AND coalesce(s.GrainIdExtensionString, '') = coalesce(_grainidextensionstring, '')
           AND s.Version         = _grainstateversion
        RETURNING s.Version INTO stored_version;

        IF NOT FOUND THEN
            stored_version := _grainstateversion;  -- unchanged => conflict
        END IF;
    END IF;

    RETURN QUERY SELECT stored_version;
END
$body$;

-- Column read by the provider: NewGrainStateVersion.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
SELECT newgrainstateversion AS NewGrainStateVersion
  FROM writetostorage(
       @GrainIdHash::integer,
       @GrainIdN0::bigint,
       @GrainIdN1::bigint,
       @GrainTypeHash::integer,
       @GrainTypeString::text,
       @GrainIdExtensionString::text,
       @ServiceId::text,
       @GrainStateVersion::integer,
       @PayloadBinary::bytea);
$q$);

-- Columns read by the provider: PayloadBinary (NULL = no state) and Version.
-- No row at all means the grain was never written.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
SELECT PayloadBinary,
       Version,
       ModifiedOn
  FROM OrleansStorage
 WHERE ServiceId       = @ServiceId
   AND GrainTypeHash   = @GrainTypeHash
   AND GrainIdHash     = @GrainIdHash
   AND GrainIdN0       = @GrainIdN0
   AND GrainIdN1       = @GrainIdN1
   AND GrainTypeString = @GrainTypeString
   AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString::text, '');
$q$);

-- ClearState (default mode): keep the row, drop the payload, bump the version.
-- The provider reads the first column as the new ETag; no row back (stale
-- ETag) is reported as a version conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
UPDATE OrleansStorage
   SET PayloadBinary = NULL,
       ModifiedOn    = now(),
       Version       = Version + 1
 WHERE ServiceId       = @ServiceId
   AND GrainTypeHash   = @GrainTypeHash
   AND GrainIdHash     = @GrainIdHash
   AND GrainIdN0       = @GrainIdN0
   AND GrainIdN1       = @GrainIdN1
   AND GrainTypeString = @GrainTypeString
   AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString::text, '')
   AND Version         = @GrainStateVersion::integer
RETURNING Version AS NewGrainStateVersion;
$q$);

-- ClearState with DeleteStateOnClear = true: remove the row. The returned value
-- only has to differ from the caller's ETag (the provider then forgets the
-- ETag, and the next write is a first insert again).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
 WHERE ServiceId       = @ServiceId
   AND GrainTypeHash   = @GrainTypeHash
   AND GrainIdHash     = @GrainIdHash
   AND GrainIdN0       = @GrainIdN0
   AND GrainIdN1       = @GrainIdN1
   AND GrainTypeString = @GrainTypeString
   AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString::text, '')
   AND Version         = @GrainStateVersion::integer
RETURNING Version + 1 AS NewGrainStateVersion;
$q$);


-- =============================================================================
-- Reminders (Microsoft.Orleans.Reminders.AdoNet)
-- =============================================================================

-- GrainId is the textual GrainId ("type/key"), so its length follows the grain
-- key; text instead of the reference varchar(150). GrainHash is the grain's
-- uniform hash reinterpreted as a signed int; silos read reminders by hash
-- range of their ring slice. Period is in milliseconds.
CREATE TABLE OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      text           NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName
        PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Ring-range scans (ReadRangeRows1Key / ReadRangeRows2Key) filter on hash.
CREATE INDEX IX_RemindersTable_ServiceId_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

-- Columns read: GrainId, ReminderName, StartTime, Period, Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainId   = @GrainId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId    = @ServiceId
   AND GrainId      = @GrainId
   AND ReminderName = @ReminderName;
$q$);

-- Range (BeginHash, EndHash] that does not wrap in signed order.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainHash > @BeginHash
   AND GrainHash <= @EndHash;
$q$);

-- Range that wraps around (also the whole ring when BeginHash = EndHash).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$);

-- Register or re-register a reminder. A new reminder starts at version 0 and
-- every re-registration bumps it; the provider reads Version as the ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r
       (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
   SET StartTime = excluded.StartTime,
       Period    = excluded.Period,
       GrainHash = excluded.GrainHash,
       Version   = r.Version + 1
RETURNING r.Version AS Version;
$q$);

-- Unregister with ETag check. Single value: 1 = removed, 0 = stale/unknown.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM OrleansRemindersTable
     WHERE ServiceId    = @ServiceId
       AND GrainId      = @GrainId
       AND ReminderName = @ReminderName
       AND Version      = @Version
    RETURNING 1
)
SELECT count(*)::integer FROM removed;
$q$);

-- Drop every reminder of a service (tests / tooling).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId;
$q$);
