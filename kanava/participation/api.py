"""The participation API.  (Being built.)"""

urlpatterns = []
