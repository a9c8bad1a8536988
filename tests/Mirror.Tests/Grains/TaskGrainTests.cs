using Mirror.Repositories;
using Mirror.Tasks;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Grains;

[Collection(GrainCollection.Name)]
public sealed class TaskGrainTests(GrainClusterFixture fixture)
{
    private async Task<TaskRecord> Finished(ITaskGrain task)
    {
        for (var i = 0; i < 200; i++)
        {
            var record = (await task.Get())!;
            if (TaskStates.IsFinal(record.State)) return record;
            await Task.Delay(50);
        }
        throw new TimeoutException("task did not finish");
    }

    /// <summary>
    /// A task updating a new repository, held at its loop's "running" write (its create writes the state twice: the record,
    /// then the settled mark): it holds the repository's reservation and stays "waiting" until the hold is released.
    /// </summary>
    private async Task<(Guid Repository, ITaskGrain Task, Hold Hold)> HeldTask(string cid, string description = "")
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("h") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        var hold = HeldStateWrites.Hold(task.GetGrainId(), ordinal: 3);
        await task.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("h2"), Description = description }), cid);
        await hold.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (repository, task, hold);
    }

    [Fact]
    public async Task Start_returns_at_once_and_the_task_runs_to_completion()
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("t") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());

        var started = await task.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("t2"), Description = "new" }), "cid-1");
        Assert.Equal(TaskStates.Waiting, started.State);
        Assert.Equal([Hrefs.RepositoryPrn(repository)], started.ReservedResources);

        var finished = await Finished(task);
        Assert.Equal(TaskStates.Completed, finished.State);
        Assert.NotNull(finished.StartedAt);
        Assert.True(finished.FinishedAt >= finished.StartedAt);
        Assert.Equal("new", (await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Get())!.Settings.Description);
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{finished.Id}' and state = 'completed'"));
    }

    [Fact]
    public async Task A_task_whose_work_fails_ends_failed_with_a_description()
    {
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await task.Start(new UpdateRepository(Ids.New(), new RepositorySettings { Name = Names.Unique("none") }), "cid-2");

        var finished = await Finished(task);

        Assert.Equal(TaskStates.Failed, finished.State);
        Assert.Equal("The repository no longer exists.", finished.Error?.Description);
    }

    [Fact]
    public async Task A_finished_task_is_not_canceled_and_can_be_deleted_while_an_unknown_one_is_null()
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("c") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await task.Start(new DeleteRepository(repository), "cid-3");
        var finished = await Finished(task);

        var afterCancel = (await task.Cancel())!;
        Assert.Equal((TaskStates.Completed, finished.FinishedAt), (afterCancel.State, afterCancel.FinishedAt));
        Assert.True(await task.Delete());
        Assert.Null(await task.Get());
        Assert.Null(await fixture.Grains.GetGrain<ITaskGrain>(Ids.New()).Get());
    }

    [Fact]
    public async Task A_cancel_that_comes_while_the_task_writes_its_state_waits_for_that_write_and_the_list_shows_only_what_is_stored()
    {
        var (_, task, hold) = await HeldTask("cid-5");

        // The cancel's change waits for the one under way: begun alongside it, it would finish that change's row first, and
        // the list would show "running" while the stored state still says "waiting" (and would after a crash).
        var canceling = task.Cancel();
        await Task.WhenAny(canceling, Task.Delay(500));
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{task.GetPrimaryKey()}' and state = 'waiting'"));
        hold.Release();
        Assert.Equal(TaskStates.Canceling, (await canceling)!.State);

        var finished = await Finished(task);
        Assert.Equal(TaskStates.Canceled, finished.State);
        Assert.Null(finished.Error);
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{finished.Id}' and state = 'canceled'"));
    }

    [Fact]
    public async Task A_task_on_a_repository_another_task_holds_waits_and_starts_once_that_one_has_finished()
    {
        var (repository, first, hold) = await HeldTask("cid-6", "first");

        var second = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await second.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("q2"), Description = "second" }), "cid-7");
        await Task.Delay(500);
        var waiting = (await second.Get())!;
        Assert.Equal((TaskStates.Waiting, null), (waiting.State, waiting.StartedAt));

        hold.Release();
        var (firstDone, secondDone) = (await Finished(first), await Finished(second));
        Assert.Equal((TaskStates.Completed, TaskStates.Completed), (firstDone.State, secondDone.State));
        Assert.True(secondDone.StartedAt >= firstDone.FinishedAt, $"the second started at {secondDone.StartedAt}, before the first finished at {firstDone.FinishedAt}");
        Assert.Equal("second", (await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Get())!.Settings.Description);
    }

    [Fact]
    public async Task A_task_canceled_while_it_waits_for_its_repository_ends_canceled_without_running_and_the_task_ahead_is_unaffected()
    {
        var (repository, holder, hold) = await HeldTask("cid-9", "holder");
        var queued = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await queued.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("never"), Description = "never" }), "cid-10");

        await queued.Cancel();
        Assert.Equal(TaskStates.Canceled, (await Finished(queued)).State);
        hold.Release();
        Assert.Equal(TaskStates.Completed, (await Finished(holder)).State);
        Assert.Equal("holder", (await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Get())!.Settings.Description);
    }

    [Fact]
    public async Task Shared_holders_of_a_resource_hold_it_side_by_side_an_exclusive_one_alone_and_each_in_the_order_they_queued()
    {
        // Entries ahead of an asker are dropped when their task has finished, so the queue's entries here are real tasks,
        // each held running on a repository of its own.
        var held = new[] { await HeldTask("cid-11"), await HeldTask("cid-12"), await HeldTask("cid-13"), await HeldTask("cid-14") };
        var (shared1, shared2, exclusive, lateShared) = (held[0].Task.GetPrimaryKey(), held[1].Task.GetPrimaryKey(), held[2].Task.GetPrimaryKey(), held[3].Task.GetPrimaryKey());
        var remote = fixture.Grains.GetGrain<IReservationGrain>(Hrefs.RemotePrn(Ids.New()));

        Assert.True(await remote.Acquire(shared1, shared: true));
        Assert.True(await remote.Acquire(shared2, shared: true));
        Assert.False(await remote.Acquire(exclusive, shared: false));
        Assert.False(await remote.Acquire(lateShared, shared: true)); // behind the exclusive one, not beside the holders

        await remote.Release(shared1);
        Assert.False(await remote.Acquire(exclusive, shared: false));
        await remote.Release(shared2);
        Assert.True(await remote.Acquire(exclusive, shared: false));
        Assert.False(await remote.Acquire(lateShared, shared: true));
        await remote.Release(exclusive);
        Assert.True(await remote.Acquire(lateShared, shared: true));
        await remote.Release(lateShared);

        foreach (var (_, task, hold) in held)
        {
            hold.Release();
            Assert.Equal(TaskStates.Completed, (await Finished(task)).State);
        }
    }

    [Fact]
    public async Task A_task_waiting_for_a_resource_is_answered_when_the_task_ahead_gives_it_back_and_after_a_while_when_nothing_moves()
    {
        var (repository, holder, hold) = await HeldTask("cid-8");
        var queue = fixture.Grains.GetGrain<IReservationGrain>(Hrefs.RepositoryPrn(repository));
        var waiter = Ids.New();

        Assert.False(await queue.Acquire(waiter, shared: false));
        Assert.False(await queue.WaitForTurn(waiter)); // held while the holder runs, then empty-handed: ask again
        var turn = queue.WaitForTurn(waiter);
        await queue.Release(holder.GetPrimaryKey());
        Assert.True(await turn);
        Assert.True(await queue.Acquire(waiter, shared: false));

        await queue.Release(waiter);
        hold.Release();
        Assert.Equal(TaskStates.Completed, (await Finished(holder)).State);
    }

    [Fact]
    public async Task A_task_followed_to_its_end_is_answered_when_it_finishes_and_after_a_while_as_it_stands_while_it_runs()
    {
        var (_, task, hold) = await HeldTask("cid-15");

        var running = await task.WhenFinished(); // held while the task runs, then answered as it stands: ask again
        Assert.False(TaskStates.IsFinal(running!.State));
        var end = task.WhenFinished();
        hold.Release();
        Assert.Equal(TaskStates.Completed, (await end)!.State);
        Assert.Equal(TaskStates.Completed, (await task.WhenFinished())!.State);
        Assert.Null(await fixture.Grains.GetGrain<ITaskGrain>(Ids.New()).WhenFinished());
    }
}
