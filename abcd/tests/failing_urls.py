from django.contrib.auth.decorators import login_not_required
from django.urls import path

from abcd.urls import urlpatterns as real_patterns


@login_not_required
def boom(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *real_patterns]
handler500 = "abcd.views.server_error"
