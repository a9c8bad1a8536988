using Mirror.Repositories;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Grains;

[Collection(GrainCollection.Name)]
public sealed class RepositoryGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_created_repository_has_version_0_and_survives_deactivation()
    {
        var id = Ids.New();
        var grain = fixture.Grains.GetGrain<IRepositoryGrain>(id);
        var created = await grain.Create(new RepositorySettings { Name = Names.Unique("g"), Description = "d" });

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(created.Id, (await grain.Get())!.Id);
        Assert.Equal("d", (await grain.Get())!.Settings.Description);
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_repository_versions where repository_id = '{id}' and number = 0"));
    }

    [Fact]
    public async Task The_loser_of_a_name_clash_gets_a_field_error_and_keeps_nothing()
    {
        var name = Names.Unique("clash");
        await fixture.Grains.GetGrain<IRepositoryGrain>(Ids.New()).Create(new RepositorySettings { Name = name });
        var loser = fixture.Grains.GetGrain<IRepositoryGrain>(Ids.New());

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => loser.Create(new RepositorySettings { Name = name }));

        Assert.Equal("name", error.Field);
        Assert.Equal("This field must be unique.", error.Detail);
        Assert.Null(await loser.Get());
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_repositories where name = '{name}'"));
    }

    [Fact]
    public async Task Delete_removes_the_catalog_row_and_the_versions()
    {
        var id = Ids.New();
        var grain = fixture.Grains.GetGrain<IRepositoryGrain>(id);
        await grain.Create(new RepositorySettings { Name = Names.Unique("gone") });

        await grain.Delete();

        Assert.Null(await grain.Get());
        Assert.Equal(0, await fixture.Database.CountAsync($"select count(*) from mirror_repositories where id = '{id}'"));
        Assert.Equal(0, await fixture.Database.CountAsync($"select count(*) from mirror_repository_versions where repository_id = '{id}'"));
    }
}
