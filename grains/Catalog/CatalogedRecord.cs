using Mirror.Storage.Catalog;

namespace Mirror.Grains.Catalog;

/// <summary>
/// The one write path of an object kept twice: its grain state, which is the truth, and its catalog row, the copy lists read.
/// Repositories, remotes, distributions and tasks are written only through it. A change writes the state (marked
/// <see cref="CatalogedState{TRecord}.RowPending"/>, with the record the row still shows), then the row, then clears the mark.
/// A row the catalog refuses (a taken name, an overlapping base path) puts the state back and throws Pulp's field error. A
/// process that dies between the writes leaves the mark, and the object's next activation finishes what it began: the row is
/// written from the state, or, if the catalog refuses it now, the state goes back to the previous record (a create that lost its
/// name is removed). So a listed object is readable and a readable one is listed.
/// </summary>
/// <param name="kind">What the object is called in errors: "repository", "remote", "distribution", "task".</param>
/// <param name="deactivateOnFailure">
/// Whether a failed write deactivates the grain, so that the next call reads the stored state afresh and repairs from it. A task
/// says no: its loop runs on the activation and retries its writes through a database outage (memory goes back to the stored
/// state either way, and the next change finishes a row left pending first).
/// </param>
public class CatalogedRecord<TState, TRecord>(
    Grain grain,
    IPersistentState<TState> state,
    string kind,
    Func<TRecord, CancellationToken, Task> upsertRow,
    Func<Guid, CancellationToken, Task> deleteRow,
    bool deactivateOnFailure = true)
    where TState : CatalogedState<TRecord>
    where TRecord : class
{
    public TRecord? Record => state.State.Record;

    /// <summary>
    /// The record as the catalog row shows it too: while a change is between its two writes, the one before it. For readers
    /// that interleave with a change (a task's loop saves while its <c>Get</c> answers), so that what is read by href is what
    /// lists show, and a state is never read before it is stored.
    /// </summary>
    public TRecord? Settled => state.State.RowPending ? state.State.Previous : state.State.Record;

    /// <summary>
    /// Creates the object from <paramref name="create"/>; a create run again (a task resumed after its silo died) gets what the
    /// first run made. Throws <see cref="ValidationFailedException"/> if the catalog refuses it; then nothing is left.
    /// <paramref name="alongside"/> and <paramref name="settle"/> as for <see cref="UpdateAsync"/>.
    /// </summary>
    public async Task<TRecord> CreateAsync(Func<TRecord> create, CancellationToken ct, Func<TState, Action>? alongside = null, bool settle = true)
    {
        if (Record is { } existing) return existing;
        var record = create();
        await ChangeAsync(record, alongside, settle, ct);
        return record;
    }

    /// <summary>
    /// Replaces the object with <paramref name="change"/> of it. Throws <see cref="ValidationFailedException"/> if it is gone or
    /// the catalog refuses the change; then nothing changed. <paramref name="alongside"/>, for a state that holds more than the
    /// record, changes the rest of it in the state write of this change and returns how to undo that if the write fails.
    /// </summary>
    /// <param name="settle">
    /// False skips the third write: once the row is written, memory clears the mark (readers see the new record) but the
    /// stored state keeps it, which is all a crash needs: the next activation writes the stored record to the row again (an
    /// upsert of what it holds already) and clears it. For an object that writes again soon and settles its last write, as a
    /// task does with its progress until its outcome; a refused row is always settled.
    /// </param>
    public async Task<TRecord> UpdateAsync(Func<TRecord, TRecord> change, CancellationToken ct, Func<TState, Action>? alongside = null, bool settle = true)
    {
        var record = change(Record ?? throw new ValidationFailedException("pulp_href", $"The {kind} no longer exists."));
        await ChangeAsync(record, alongside, settle, ct);
        return record;
    }

    /// <summary>Finishes a change a dead process or a failed write left half made; meant for the grain's activation.</summary>
    public async Task RepairAsync(CancellationToken ct)
    {
        if (state.State.RowPending) await FinishAsync(settle: true, ct);
    }

    /// <summary>Removes the object from the catalog and its state; a delete of an object already gone only makes sure of that.</summary>
    public async Task DeleteAsync(CancellationToken ct)
    {
        if (state.State.Record is null && !state.State.RowPending)
        {
            await deleteRow(grain.GetPrimaryKey(), ct);
            if (state.RecordExists) await state.ClearStateAsync(ct);
            return;
        }
        await ChangeAsync(null, null, settle: true, ct);
    }

    private async Task ChangeAsync(TRecord? record, Func<TState, Action>? alongside, bool settle, CancellationToken ct)
    {
        try
        {
            // A change an earlier call could not finish comes first, so Previous is always what the row shows.
            await RepairAsync(ct);
            var before = state.State.Record;
            state.State.Previous = before;
            state.State.Record = record;
            state.State.RowPending = true;
            state.State.Unsettled = !settle;
            var undo = alongside?.Invoke(state.State);
            try
            {
                await state.WriteStateAsync(ct);
            }
            catch
            {
                // Memory goes back to the stored state: nothing of this change is there, and the row still shows `before`.
                (state.State.Record, state.State.Previous, state.State.RowPending, state.State.Unsettled) = (before, null, false, false);
                undo?.Invoke();
                throw;
            }
            CatalogWriteFault.AfterStateWrite(grain);
            if (await FinishAsync(settle, ct) is { } refused)
                throw new ValidationFailedException(refused.Field, PulpMessages.Conflict(refused.OverlapsWith));
        }
        catch (Exception e) when (e is not ValidationFailedException)
        {
            // Not known what reached the database: a fresh activation reads the stored state, finds the mark and finishes.
            if (deactivateOnFailure) grain.DeactivateOnIdle();
            throw;
        }
    }

    // Brings the row to the state, or the state back to the row; returns the catalog's refusal, if that is what happened.
    private async Task<CatalogConflict?> FinishAsync(bool settle, CancellationToken ct)
    {
        CatalogConflict? refused = null;
        try
        {
            if (state.State.Record is { } record) await upsertRow(record, ct);
            else await deleteRow(grain.GetPrimaryKey(), ct);
        }
        catch (CatalogConflictException e)
        {
            // The row was not written, so it still shows Previous (or nothing, for a create).
            refused = e.Conflict;
            state.State.Record = state.State.Previous;
        }
        state.State.RowPending = false;
        state.State.Previous = null;
        // The row shows the stored record: only an unsettled write may leave the stored mark for later.
        if (!settle && refused is null && state.State.Record is not null) return null;
        state.State.Unsettled = false;
        if (state.State.Record is null) await state.ClearStateAsync(ct);
        else await state.WriteStateAsync(ct);
        return refused;
    }
}

/// <summary>The write path of an object whose grain state is its record alone (repositories, remotes, distributions).</summary>
public sealed class CatalogedRecord<TRecord>(
    Grain grain,
    IPersistentState<CatalogedState<TRecord>> state,
    string kind,
    Func<TRecord, CancellationToken, Task> upsertRow,
    Func<Guid, CancellationToken, Task> deleteRow)
    : CatalogedRecord<CatalogedState<TRecord>, TRecord>(grain, state, kind, upsertRow, deleteRow)
    where TRecord : class;
