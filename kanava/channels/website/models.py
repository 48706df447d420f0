"""What the website channel has published: a snapshot per message and language."""

from django.db import models

from kanava.core.models import Organisation, Topic


class SitePost(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="site_posts")
    message = models.ForeignKey("publishing.Message", on_delete=models.CASCADE, related_name="site_posts")
    # One post per delivery: publishing the same delivery twice finds this row.
    delivery = models.OneToOneField("publishing.Delivery", on_delete=models.CASCADE, related_name="site_post")
    language = models.CharField(max_length=2)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True)
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body_html = models.TextField()
    plain_title = models.CharField(max_length=300, blank=True)
    plain_body_html = models.TextField(blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_title = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["organisation", "language", "-published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return f"/{self.language}/news/{self.pk}-{self.slug}/"

    @property
    def absolute_url(self) -> str:
        """The post's address on its organisation's own resident site, or on ``SITE_URL``."""
        from kanava.core.sites import site_base_url

        return site_base_url(self.organisation) + self.get_absolute_url()
