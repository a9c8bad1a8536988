using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
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
        await catalog.DeleteAsync(this.GetPrimaryKey());
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
            if (Record.State == TaskStates.Canceling)
            {
                await Finish(TaskStates.Canceled, error: null, created: []);
                return;
            }
            try
            {
                await WaitForReservations();
                var now = clock.UtcNowMicros();
                await Save(Record with { State = TaskStates.Running, UnblockedAt = Record.UnblockedAt ?? now, StartedAt = Record.StartedAt ?? now, LastUpdated = now });
                var progress = new TaskProgress(reports => Save(Record with { ProgressReports = reports, LastUpdated = clock.UtcNowMicros() }), clock);
                var context = new TaskContext(Record.Id, GrainFactory, services, progress, log, _cancel.Token);
                var created = await TaskRunner.Run(context, state.State.Operation!);
                await progress.SaveAsync(force: true);
                await Finish(Record.State == TaskStates.Canceling ? TaskStates.Canceled : TaskStates.Completed, error: null, created);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                await Finish(TaskStates.Canceled, error: null, created: []);
            }
            catch (TaskFailedException e)
            {
                log.TaskFailed(Record.Id, Record.Name, e.Message);
                await Finish(TaskStates.Failed, new TaskError { Description = e.Message }, created: []);
            }
            catch (ValidationFailedException e)
            {
                await Finish(TaskStates.Failed, new TaskError { Description = e.Detail }, created: []);
            }
            // Cluster trouble (a silo died under a call) is not the task's failure: the reminder runs it again.
            catch (Exception e) when (!ClusterFaults.IsTransient(e))
            {
                log.TaskCrashed(e, Record.Id, Record.Name);
                await Finish(TaskStates.Failed, new TaskError { Description = e.Message }, created: []);
            }
        }
        catch (Exception e)
        {
            // Could not even record the outcome (database or cluster trouble): the reminder runs the task again.
            log.TaskOutcomeUnrecorded(e, Record.Id);
        }
        finally
        {
            _loop = null;
        }
    }

    private async Task Finish(string finalState, TaskError? error, List<string> created)
    {
        var now = clock.UtcNowMicros();
        state.State.Operation = null; // a finished task keeps no copy of the secrets it may have carried
        await ReleaseReservations();
        await Save(Record with
        {
            State = finalState,
            Error = error,
            CreatedResources = created,
            FinishedAt = now,
            LastUpdated = now,
            ProgressReports = Record.ProgressReports.Select(p => p.State == TaskStates.Running ? p with { State = finalState } : p).ToList(),
        });
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

    private async Task Save(TaskRecord record, TaskOperation? operation = null)
    {
        state.State.Record = record;
        state.State.Operation ??= operation;
        await state.WriteStateAsync();
        await catalog.UpsertAsync(record);
    }

    private async Task UnregisterRunReminder()
    {
        if (await this.GetReminder(RunReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }
}
