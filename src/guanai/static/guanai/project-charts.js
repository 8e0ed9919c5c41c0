// Project progress charts (coordination/oversight/project_list.html and project_detail.html):
// the numbers come from a json_script block beside the chart, which also shows them as a table.
(function () {
  const el = document.getElementById('progress-chart');
  if (!el || !window.echarts || !document.getElementById('chart-data')) return;
  const data = JSON.parse(document.getElementById('chart-data').textContent);
  const chart = echarts.init(el);
  window.addEventListener('resize', () => chart.resize());
  if (el.dataset.chart === 'project-lines') {
    const series = [];
    data.lines.forEach((line) => {
      series.push({ name: line.name + '已开工', type: 'line', data: line.points.map((p) => p.started),
                    markLine: { symbol: 'none', data: [{ yAxis: line.planned, name: '计划' }],
                                label: { position: 'insideEndTop', formatter: line.name + '计划{c}' } } });
      series.push({ name: line.name + '已完成', type: 'line', data: line.points.map((p) => p.finished) });
    });
    const planned = Math.max(0, ...data.lines.map((line) => line.planned));
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll' },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: data.dates },
      yAxis: { type: 'value', max: (extent) => Math.max(extent.max, planned) },
      series,
    });
  } else {
    chart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' },
      legend: { data: ['时间进度', '完成进度'] },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: data.names, inverse: true },
      series: [
        { name: '时间进度', type: 'bar', data: data.expected, itemStyle: { color: '#adb5bd' } },
        { name: '完成进度', type: 'bar', data: data.actual, itemStyle: { color: '#dc3545' }, label: { show: true, position: 'right', formatter: '{c}%' } },
      ],
    });
  }
})();
