"""The resident site, mounted last inside the ``/<language>/`` patterns."""

from django.urls import path

from kanava.site import embeds, feeds, views
from kanava.site.cache import cached_response

app_name = "site"

rss = cached_response()(feeds.NewsFeed())
atom = cached_response()(feeds.NewsAtomFeed())

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.news_list, name="news"),
    path("news/topic/<slug:slug>/", views.topic_list, name="topic"),
    path("news/<int:pk>/", views.post_detail, name="post_short"),
    path("news/<int:pk>-<slug:slug>/", views.post_detail, name="post"),
    path("m/<int:message_id>/", views.message_redirect, name="message"),
    path("feeds/news.rss", rss, name="feed_rss"),
    path("feeds/news.atom", atom, name="feed_atom"),
    path("feeds/topic/<slug:slug>.rss", rss, name="topic_feed_rss"),
    path("feeds/topic/<slug:slug>.atom", atom, name="topic_feed_atom"),
    path("embed/news.html", embeds.news_html, name="embed_html"),
    path("embed/news.json", embeds.news_json, name="embed_json"),
]
