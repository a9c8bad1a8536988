using System.Text.Json;
using Mirror.Storage.Secrets;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>A cataloged object's grain state still marked "row pending": its state name, its id, and when it was written.</summary>
public sealed record PendingRow(string StateName, Guid Id, DateTime Written);

/// <summary>
/// Finds the grain states of cataloged objects whose catalog row a write left pending: the mark (<c>RowPending</c>) the one write
/// path sets between its two writes, which stays in the stored state when a process dies between them. The states are the
/// Orleans ADO.NET provider's rows (<c>orleansstorage</c>, keyed by state name), System.Text.Json sealed by <see cref="SecretBox"/>
/// (or plain, written before sealing existed), so the mark is read here after opening each state of the window, not in SQL.
/// The JSON holds the mark only while it is true; the object's id is its record's (or, for a delete, its previous record's).
/// </summary>
public sealed class PendingRows(NpgsqlDataSource db, SecretBox box)
{
    /// <summary>The database's clock: the stored states' times are its own, so the silos' clocks never enter the comparison.</summary>
    public async Task<DateTime> NowAsync(CancellationToken ct) => (DateTime)(await db.Command("select now()").ScalarAsync(ct))!;

    /// <summary>States of <paramref name="stateNames"/> marked pending and last written in [<paramref name="from"/>, <paramref name="before"/>).</summary>
    public async Task<IReadOnlyList<PendingRow>> ListAsync(string serviceId, IReadOnlyCollection<string> stateNames, DateTime from, DateTime before,
        CancellationToken ct)
    {
        var states = await db.Command("""
            select graintypestring, payloadbinary, modifiedon from orleansstorage
            where serviceid = $1 and graintypestring = any($2) and payloadbinary is not null and modifiedon >= $3 and modifiedon < $4
            order by modifiedon
            """, serviceId, Sql.TextArray(stateNames), from, before).RowsAsync(r => (Name: r.GetString(0), Payload: (byte[])r[1], Written: r.GetDateTime(2)), ct);
        var pending = new List<PendingRow>();
        foreach (var (name, payload, written) in states)
            if (PendingId(payload) is { } id) pending.Add(new PendingRow(name, id, written));
        return pending;
    }

    // A state sealed under a key this process does not hold is left alone here: StateResealing reports those at start.
    private Guid? PendingId(byte[] payload)
    {
        byte[] json;
        try
        {
            json = SecretBox.IsSealed(payload) ? box.Open(payload) : payload;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        using var state = JsonDocument.Parse(json);
        var root = state.RootElement;
        if (!root.TryGetProperty("RowPending", out var mark) || mark.ValueKind != JsonValueKind.True) return null;
        // An unsettled write's mark is finished by its owner (CatalogedState.Unsettled), not by the sweep.
        if (root.TryGetProperty("Unsettled", out var unsettled) && unsettled.ValueKind == JsonValueKind.True) return null;
        foreach (var record in (ReadOnlySpan<string>)["Record", "Previous"])
            if (root.TryGetProperty(record, out var value) && value.ValueKind == JsonValueKind.Object && value.TryGetProperty("Id", out var id))
                return id.GetGuid();
        return null;
    }
}
