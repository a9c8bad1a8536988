using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Storage;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>
/// One Pulp task. The work runs as a background loop on this activation (never as one long grain
/// call, which the 30 s call timeout and the stuck-activation detector forbid). A reminder ticks
/// while the task is unfinished: it keeps the activation alive and starts the loop again on another
/// silo when this one dies.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Its CancellationTokenSource has no timer and no links, so it holds nothing that outlives the activation.")]
public sealed class TaskGrain(
    [PersistentState("task", GrainStorage.Provider)] IPersistentState<TaskState> state,
    TaskCatalog catalog,
    TimeProvider clock,
    IServiceProvider services,
    ILogger<TaskGrain> log) : Grain, ITaskGrain, IRemindable
{
    private const string RunReminder = "run";
    private static readonly TimeSpan ReservationPoll = TimeSpan.FromMilliseconds(250);
    private Task? _loop;
    private readonly CancellationTokenSource _cancel = new();

    private TaskRecord Record => state.State.Record!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A task whose silo died resumes as soon as anyone asks about it (clients poll tasks), not only at its reminder.
        if (state.State.Record is { } record && !TaskStates.IsFinal(record.State)) StartLoop();
        return Task.CompletedTask;
    }

    async Task<TaskRecord> ITaskGrain.Start(TaskOperation operation, string loggingCid)
    {
        if (state.State.Record is { } existing) return existing;
        var now = clock.UtcNowMicros();
        await Save(new TaskRecord
        {
            Id = this.GetPrimaryKey(),
            Name = operation.TaskName,
            State = TaskStates.Waiting,
            LoggingCid = loggingCid,
            Created = now,
            LastUpdated = now,
            ReservedResources = operation.ReservedResources(),
        }, operation);
        await this.RegisterOrUpdateReminder(RunReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        // Take a place in the first resource's queue now, so tasks on one repository run in the order they were asked for.
        if (Reservations().FirstOrDefault() is { } first) await Reserve(first);
        StartLoop();
        return Record;
    }

    Task<TaskRecord?> ITaskGrain.Get() => Task.FromResult(state.State.Record);

    async Task<TaskRecord?> ITaskGrain.Cancel()
    {
        if (state.State.Record is not { } record || TaskStates.IsFinal(record.State) || record.State == TaskStates.Canceling)
            return state.State.Record;
        if (_loop is null)
        {
            // Nothing is running here (the silo that ran it died before the reminder came back): nothing to wait for.
            await Finish(TaskStates.Canceled, error: null, created: []);
            return Record;
        }
        await Save(record with { State = TaskStates.Canceling, LastUpdated = clock.UtcNowMicros() });
        _cancel.Cancel();
        return Record;
    }

    async Task<bool> ITaskGrain.Delete()
    {
        if (state.State.Record is { } record && !TaskStates.IsFinal(record.State)) return false;
        await catalog.DeleteAsync(this.GetPrimaryKey(), CancellationToken.None);
        if (state.RecordExists) await state.ClearStateAsync();
        state.State.Record = null;
        DeactivateOnIdle();
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Record is not { } record || TaskStates.IsFinal(record.State))
        {
            await ReleaseReservations();
            await UnregisterRunReminder();
            return;
        }
        StartLoop();
    }

    private void StartLoop() => _loop ??= Loop();

    private async Task Loop()
    {
        // Return to the caller first: Start must answer in milliseconds.
        await Task.Yield();
        try
        {
            var (finalState, error, created) = await Outcome();
            // The outcome is recorded once the database takes it; past the budget the reminder runs the task again.
            await Budget.Retry(() => Finish(finalState, error, created), clock, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.TaskOutcomeUnrecorded(e, Record.Id);
        }
        finally
        {
            _loop = null;
        }
    }

    private OutageBudget Budget => OutageBudget.Of(services);

    /// <summary>
    /// Runs the operation to its outcome. A database outage or a silo lost under a call is not the task's failure: the
    /// operation (idempotent) runs again after a pause, for as long as the outage budget lasts.
    /// </summary>
    private async Task<(string State, TaskError? Error, List<string> Created)> Outcome()
    {
        if (Record.State == TaskStates.Canceling) return (TaskStates.Canceled, null, []);
        DateTimeOffset? outageSince = null;
        for (var attempt = 1; ; attempt++)
        {
            var started = clock.GetUtcNow();
            try
            {
                var created = await RunOnce();
                return (Record.State == TaskStates.Canceling ? TaskStates.Canceled : TaskStates.Completed, null, created);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                return (TaskStates.Canceled, null, []);
            }
            catch (TaskFailedException e)
            {
                log.TaskFailed(Record.Id, Record.Name, e.Message);
                return (TaskStates.Failed, new TaskError { Description = ErrorText.Of(e) }, []);
            }
            catch (ValidationFailedException e)
            {
                return (TaskStates.Failed, new TaskError { Description = e.Detail }, []);
            }
            catch (Exception e) when (TransientFaults.IsTransient(e))
            {
                var now = clock.GetUtcNow();
                // An attempt that ran longer than the budget before this fault had got past the previous outage.
                if (outageSince is null || now - started > Budget.Length) (outageSince, attempt) = (now, 1);
                if (now - outageSince > Budget.Length)
                {
                    log.TaskOutageTooLong(e, Record.Id, Record.Name, Budget.Length);
                    return (TaskStates.Failed, new TaskError { Description = $"The database or the cluster was unavailable for longer than {Budget.Length}: {e.Message}" }, []);
                }
                log.TaskWaitsForOutage(Record.Id, Record.Name, e.Message);
                try
                {
                    await Task.Delay(OutageBudget.Pause(attempt), clock, _cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    return (TaskStates.Canceled, null, []);
                }
            }
            catch (Exception e)
            {
                log.TaskCrashed(e, Record.Id, Record.Name);
                return (TaskStates.Failed, new TaskError { Description = ErrorText.Of(e) }, []);
            }
        }
    }

    private async Task<List<string>> RunOnce()
    {
        await WaitForReservations();
        var now = clock.UtcNowMicros();
        await Save(Record with { State = Record.State == TaskStates.Canceling ? Record.State : TaskStates.Running, UnblockedAt = Record.UnblockedAt ?? now, StartedAt = Record.StartedAt ?? now, LastUpdated = now });
        var progress = new TaskProgress(reports => Save(Record with { ProgressReports = reports, LastUpdated = clock.UtcNowMicros() }), clock);
        var context = new TaskContext(Record.Id, GrainFactory, services, progress, log, _cancel.Token);
        var created = await TaskRunner.Run(context, state.State.Operation
            ?? throw new InvalidOperationException($"Task {Record.Id} has lost its operation"));
        await progress.SaveAsync(force: true);
        return created;
    }

    private async Task Finish(string finalState, TaskError? error, List<string> created)
    {
        var now = clock.UtcNowMicros();
        await ReleaseReservations();
        // A finished task keeps no copy of the secrets its operation may have carried; until the save succeeds it keeps
        // the operation, so a retry after a failed save still has it.
        await Save(Record with
        {
            State = finalState,
            Error = error,
            CreatedResources = created,
            FinishedAt = Record.FinishedAt ?? now,
            LastUpdated = now,
            ProgressReports = Record.ProgressReports.Select(p => p.State == TaskStates.Running ? p with { State = finalState } : p).ToList(),
        }, dropOperation: true);
        await UnregisterRunReminder();
    }

    /// <summary>The task's resources in the order every task takes them (by name), each with whether it is shared.</summary>
    private IEnumerable<(string Resource, bool Shared)> Reservations() => Record.ReservedResources
        .Select(r => r.StartsWith("shared:", StringComparison.Ordinal) ? (r["shared:".Length..], true) : (r, false))
        .OrderBy(r => r.Item1, StringComparer.Ordinal);

    private Task<bool> Reserve((string Resource, bool Shared) reservation) =>
        GrainFactory.GetGrain<IReservationGrain>(reservation.Resource).Acquire(Record.Id, reservation.Shared);

    private async Task WaitForReservations()
    {
        foreach (var reservation in Reservations())
            while (!await Reserve(reservation))
                await Task.Delay(ReservationPoll, _cancel.Token);
    }

    private async Task ReleaseReservations()
    {
        foreach (var (resource, _) in Reservations())
            await GrainFactory.GetGrain<IReservationGrain>(resource).Release(Record.Id);
    }

    /// <summary>Writes the record (and the operation it starts with); a failed write leaves memory as storage has it.</summary>
    private async Task Save(TaskRecord record, TaskOperation? operation = null, bool dropOperation = false)
    {
        var (previousRecord, previousOperation) = (state.State.Record, state.State.Operation);
        state.State.Record = record;
        state.State.Operation = dropOperation ? null : previousOperation ?? operation;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Record, state.State.Operation) = (previousRecord, previousOperation);
            throw;
        }
        await catalog.UpsertAsync(record, CancellationToken.None);
    }

    private async Task UnregisterRunReminder()
    {
        if (await this.GetReminder(RunReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }
}
