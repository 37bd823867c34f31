package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The instrument-sharing platform's records (issue 9): owning units and
// their instruments enrolled and removed from 2016 to 2023, generated so
// that the platform's statistics, computed from these records, print the
// source document's 2023 figures (seed-figures.md): 1,011 enrolled and 719
// removed in 2023, 9,288 in total worth about ¥7.99 bn, the unit-type
// split, 西南大学 first with 1,081, and the five largest classes. The
// plan below is the generator's input; the figures are checked by
// TestInstrumentFigures through instruments.ComputeStats, never stored.

// instrumentProfile is the generator's input for one instance's
// catalogue: the plan per unit type, the live count of each class, the
// total original value in yuan, the districts generated units sit in,
// and how many live instruments in one have a booking history.
type instrumentProfile struct {
	plan        []typePlan
	classes     map[string]int
	value       int64
	regions     []string
	bookedOneIn int
	prefix      string // the instance's identifier prefix (invoice numbers)
}

// typePlan is one unit type's plan: instruments live at the end of 2023,
// those of them enrolled in 2023, and those removed in 2023.
type typePlan struct {
	typ                 instruments.UnitType
	live, new, removed  int
	named               []namedUnit // real units the document names, with their live counts
	generated           int         // further units with generated names
	nameStem, nameTails []string
}

// chongqing is Chongqing's catalogue (the cq instance's, and the demo's
// default).
var chongqing = instrumentProfile{
	plan: []typePlan{
		{instruments.University, 4453, 265, 300, []namedUnit{{"西南大学", "500109", 1081}, {"重庆大学", "500106", 1012}, {"陆军军医大学", "500106", 605}, {"重庆医科大学", "500103", 540}},
			9, []string{"渝州", "巴山", "嘉陵", "缙云", "长江", "南山", "歌乐", "两江", "明月"}, []string{"理工学院", "师范学院", "科技学院", "职业技术学院"}},
		{instruments.Institute, 2423, 420, 200, []namedUnit{{"重庆市计量质量检测研究院", "500112", 688}},
			14, []string{"重庆市", "渝北", "两江", "西部", "长江上游", "三峡", "巴渝"}, []string{"材料研究所", "环境科学研究院", "生物技术研究所", "农业科学研究院", "检验检测中心", "电子技术研究所"}},
		{instruments.Enterprise, 1601, 133, 150, nil,
			40, []string{"渝新", "华渝", "川渝", "嘉宏", "鼎泰", "瑞丰", "长安", "金山", "天府", "西永"}, []string{"检测技术有限公司", "新材料股份有限公司", "精密仪器有限公司", "生物医药有限公司"}},
		{instruments.OtherUnit, 811, 193, 69, nil,
			10, []string{"重庆", "渝中", "北碚", "沙坪坝", "南岸"}, []string{"公共检测服务平台", "医院", "质量监督站", "技术转移中心"}},
	},
	// The document's five largest classes, the rest smaller than the fifth.
	classes: map[string]int{"01": 4177, "02": 725, "04": 622, "12": 619, "03": 318,
		"05": 280, "06": 290, "07": 260, "08": 250, "09": 315, "10": 280, "11": 312, "13": 310, "14": 305, "15": 225},
	value:       7_990_000_000, // the document's total original value, in yuan
	regions:     []string{"500103", "500104", "500105", "500106", "500107", "500108", "500109", "500112", "500113", "500101"},
	bookedOneIn: 7,
	prefix:      "cq",
}

// sichuan is the Sichuan instance's (sc) catalogue. The document gives
// only the joint figure (川渝 together "1.3万余台（套）, 总价值超过130亿元");
// Sichuan's share is chosen so that, with Chongqing's 9,288 instruments
// worth ¥7.99 bn, the joint platform holds about 13,500 worth about
// ¥13.6 bn. Units are well-known Sichuan universities and institutes in
// their districts, plus generated ones; the classes lean to analysis
// instruments like Chongqing's. A smaller share of instruments has a
// booking history (one in 20).
var sichuan = instrumentProfile{
	plan: []typePlan{
		{instruments.University, 1960, 140, 120, []namedUnit{{"四川大学", "510107", 612}, {"电子科技大学", "510117", 405}, {"西南交通大学", "510117", 318}, {"四川农业大学", "511802", 160}},
			6, []string{"天府", "蜀都", "锦城", "岷江", "青城", "峨眉"}, []string{"理工学院", "师范学院", "科技学院", "职业技术学院"}},
		{instruments.Institute, 1150, 190, 80, []namedUnit{{"中国科学院成都分院", "510107", 236}},
			9, []string{"四川省", "成都市", "天府", "西南", "川西"}, []string{"材料研究所", "环境科学研究院", "生物技术研究所", "农业科学研究院", "检验检测中心", "电子技术研究所"}},
		{instruments.Enterprise, 720, 70, 60, nil,
			20, []string{"蜀信", "锦江", "蓉新", "川科", "天虹", "华蓉", "西蜀", "青羊"}, []string{"检测技术有限公司", "新材料股份有限公司", "精密仪器有限公司", "生物医药有限公司"}},
		{instruments.OtherUnit, 380, 60, 30, nil,
			8, []string{"成都", "绵阳", "德阳", "宜宾", "南充"}, []string{"公共检测服务平台", "医院", "质量监督站", "技术转移中心"}},
	},
	classes: map[string]int{"01": 1820, "02": 330, "04": 380, "12": 250, "09": 260,
		"03": 160, "05": 90, "06": 110, "07": 80, "08": 40, "10": 120, "11": 150, "13": 180, "14": 130, "15": 110},
	value: 5_580_000_000,
	// Chengdu's districts, and 绵阳 涪城, 德阳 旌阳, 宜宾 翠屏, 南充 顺庆.
	regions:     []string{"510104", "510105", "510106", "510107", "510108", "510112", "510114", "510116", "510117", "510703", "510603", "511502", "511302"},
	bookedOneIn: 20,
	prefix:      Sichuan,
}

// profileOf is the catalogue of an instance id: Sichuan's for sc,
// Chongqing's otherwise.
func profileOf(instance string) instrumentProfile {
	if instance == Sichuan {
		return sichuan
	}
	return chongqing
}

type namedUnit struct {
	name, region string
	live         int
}

// instrumentKinds are what an instrument of a class can be: name, model,
// manufacturer, country, subclass and capabilities. Data, not UI text.
var instrumentKinds = map[string][]kind{
	"01": {
		{"场发射扫描电镜", "SU8010", "日立", "日本", "电子光学仪器", "材料表面形貌观察 能谱元素分析"},
		{"扫描电子显微镜", "Sigma 300", "蔡司", "德国", "电子光学仪器", "微观形貌 断口分析"},
		{"透射电子显微镜", "JEM-2100F", "日本电子", "日本", "电子光学仪器", "高分辨透射电镜成像 电子衍射"},
		{"液相色谱质谱联用仪", "6545 Q-TOF", "安捷伦", "美国", "质谱仪器", "代谢组学 药物杂质鉴定"},
		{"气相色谱质谱联用仪", "GCMS-QP2020", "岛津", "日本", "质谱仪器", "挥发性有机物检测"},
		{"电感耦合等离子体质谱仪", "NexION 350X", "珀金埃尔默", "美国", "质谱仪器", "痕量元素分析"},
		{"核磁共振波谱仪", "AVANCE III 600", "布鲁克", "德国", "波谱仪器", "核磁共振结构解析"},
		{"X射线衍射仪", "D8 ADVANCE", "布鲁克", "德国", "X射线仪器", "物相分析 晶体结构"},
		{"激光共聚焦显微镜", "LSM 880", "蔡司", "德国", "显微镜及图像分析仪器", "活细胞成像"},
		{"傅里叶变换红外光谱仪", "Nicolet iS50", "赛默飞", "美国", "光谱仪器", "红外光谱 官能团分析"},
		{"高效液相色谱仪", "1260 Infinity II", "安捷伦", "美国", "色谱仪器", "药物含量测定"},
		{"同步热分析仪", "STA 449 F3", "耐驰", "德国", "热分析仪器", "热重 差示扫描量热"},
	},
	"02": {{"万能材料试验机", "5985", "英斯特朗", "美国", "力学性能测试仪器", "拉伸 压缩 弯曲试验"}, {"激光粒度分析仪", "Mastersizer 3000", "马尔文", "英国", "颗粒度测量仪器", "粒径分布"}},
	"03": {{"三坐标测量机", "CONTURA", "蔡司", "德国", "长度计量仪器", "几何量精密测量"}, {"标准功率源", "6100A", "福禄克", "美国", "电磁学计量仪器", "电能量值传递"}},
	"04": {{"矢量网络分析仪", "N5227B", "是德科技", "美国", "射频和微波测试仪器", "S参数测试"}, {"数字示波器", "MSO64", "泰克", "美国", "通用电子测量仪器", "高速信号分析"}},
	"05": {{"多参数水质剖面仪", "SBE 25plus", "海鸟", "美国", "海水物理量测量仪器", "温盐深测量"}},
	"06": {{"高密度电法仪", "WGMD-9", "重庆奔腾", "中国", "电法仪器", "地下结构探测"}},
	"07": {{"激光雷达气溶胶监测仪", "AGHJ-I", "安徽光机所", "中国", "主动大气遥感仪器", "气溶胶垂直分布"}},
	"08": {{"光学天文望远镜", "CDK24", "PlaneWave", "美国", "地面天文望远镜", "天体观测"}},
	"09": {{"全自动生化分析仪", "AU5800", "贝克曼", "美国", "临床检验分析仪器", "临床生化检验"}, {"小动物活体成像系统", "IVIS Spectrum", "珀金埃尔默", "美国", "影像诊断仪器", "活体荧光成像"}},
	"10": {{"高纯锗伽马能谱仪", "GEM40P4", "ORTEC", "美国", "核辐射探测仪器", "放射性核素分析"}},
	"11": {{"工业CT", "phoenix v|tome|x m", "贝克休斯", "德国", "射线检测仪器", "无损内部缺陷检测"}, {"超声相控阵探伤仪", "OmniScan X3", "奥林巴斯", "日本", "超声检测仪器", "焊缝探伤"}},
	"12": {{"汽车转鼓试验台", "ROADSIM 48", "AVL", "奥地利", "汽车工艺实验设备", "整车排放与油耗试验"}, {"喷雾干燥机", "B-290", "步琦", "瑞士", "化工/制药工艺实验设备", "制剂工艺开发"}},
	"13": {{"高性能计算集群", "曙光 TC6600", "中科曙光", "中国", "服务器", "科学计算 仿真"}},
	"14": {{"飞秒激光器", "Astrella", "相干", "美国", "激光器", "超快光谱 激光加工"}},
	"15": {{"超低温冰箱", "DW-86L", "海尔", "中国", "", "样品低温保存"}, {"生物安全柜", "BSC-1500", "海尔", "中国", "", "生物样品操作"}},
}

type kind struct{ name, model, maker, country, sub, caps string }

// instrumentUnit is a unit and the instruments planned for it.
type instrumentUnit struct {
	unit                 instruments.Unit
	live, new, removed23 int
	removedEarly         int
}

// instrumentUnits splits each type's plan over its units: the named ones
// with their counts, the generated ones sharing the rest.
func instrumentUnits(r *rand.Rand, prof instrumentProfile) []instrumentUnit {
	var out []instrumentUnit
	for _, p := range prof.plan {
		first := len(out)
		rest := p.live
		for _, n := range p.named {
			out = append(out, instrumentUnit{unit: instruments.Unit{Name: n.name, Type: p.typ, RegionCode: n.region}, live: n.live})
			rest -= n.live
		}
		names := map[string]bool{}
		for i := 0; i < p.generated; i++ {
			var name string
			for name == "" || names[name] {
				name = p.nameStem[r.IntN(len(p.nameStem))] + p.nameTails[r.IntN(len(p.nameTails))]
			}
			names[name] = true
			share := rest / (p.generated - i)
			if i < p.generated-1 {
				share = share * (80 + r.IntN(41)) / 100
			}
			rest -= share
			out = append(out, instrumentUnit{unit: instruments.Unit{Name: name, Type: p.typ, RegionCode: prof.regions[r.IntN(len(prof.regions))]}, live: share})
		}
		// The year's new enrolments and removals in proportion to the
		// units' sizes, the remainder to the largest.
		units := out[first:]
		split := func(total int, set func(u *instrumentUnit, n int)) {
			left := total
			for i := range units {
				n := total * units[i].live / p.live
				set(&units[i], n)
				left -= n
			}
			for i := 0; left > 0; i = (i + 1) % len(units) {
				set(&units[i], 1)
				left--
			}
		}
		split(p.new, func(u *instrumentUnit, n int) { u.new += n })
		split(p.removed, func(u *instrumentUnit, n int) { u.removed23 += n })
		split(p.live/10, func(u *instrumentUnit, n int) { u.removedEarly += n })
	}
	return out
}

// instrumentDataset generates the units and their instruments.
func instrumentDataset(seed uint64, prof instrumentProfile) ([]instrumentUnit, [][]sqlstore.NewInstrument, error) {
	r := rand.New(rand.NewPCG(seed, 0x1257))
	units := instrumentUnits(r, prof)
	// The live instruments' classes: exactly the plan, shuffled.
	var classes []string
	codes := make([]string, 0, len(prof.classes))
	for c := range prof.classes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		for range prof.classes[c] {
			classes = append(classes, c)
		}
	}
	r.Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
	totalLive := 0
	for _, u := range units {
		totalLive += u.live
	}
	if totalLive != len(classes) {
		return nil, nil, fmt.Errorf("demo: instruments: %d live by unit, %d by class", totalLive, len(classes))
	}
	// Values: ¥500k each plus a share of the excess, the shares skewed.
	weights := make([]float64, totalLive)
	var wsum float64
	for i := range weights {
		w := r.ExpFloat64()
		weights[i] = w * w
		wsum += weights[i]
	}
	excess := prof.value - int64(500_000*totalLive)
	values := make([]int64, totalLive)
	var given int64
	for i, w := range weights {
		values[i] = 500_000 + int64(float64(excess)*w/wsum)
		given += values[i] - 500_000
	}
	values[0] += excess - given
	date := func(year int) string {
		return fmt.Sprintf("%d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28))
	}
	enrolYear := func() int { return 2016 + min(6, int(r.ExpFloat64()*2.5)) } // 2016–2022, most early
	all := make([][]sqlstore.NewInstrument, len(units))
	k := 0
	for ui, u := range units {
		var list []sqlstore.NewInstrument
		add := func(class string, value int64, enrolled, removed, reason string) {
			kinds := instrumentKinds[class]
			kd := kinds[r.IntN(len(kinds))]
			in := instruments.Instrument{UnitID: 0, LocalID: fmt.Sprintf("%s-%05d", enrolled[:4], len(list)+1), Name: kd.name, ClassCode: class, Subclass: kd.sub,
				Model: kd.model, Manufacturer: kd.maker, Country: kd.country, OriginalValue: unit.Fen(value) * unit.Yuan, PurchaseDate: date(2010 + r.IntN(6)),
				Location: u.unit.Name, RegionCode: u.unit.RegionCode, Capabilities: kd.caps, Status: instruments.Open, EnrolledOn: enrolled,
				Modes: []instruments.Mode{instruments.Assisted, instruments.SampleSending}, Rules: instruments.DefaultRules()}
			if r.IntN(3) == 0 {
				in.Modes = append(in.Modes, instruments.SelfOperation)
			}
			var items []instruments.ServiceItem
			if removed != "" {
				in.Status, in.RemovedOn, in.RetireReason = instruments.Retired, removed, reason
			} else {
				// An hour costs about 1/2,500 of the value for a firm,
				// rounded to ¥10; academics pay 80 %, the unit itself 50 %.
				hour := max(100, value/2500/10*10)
				rates := func(base int64) []instruments.Rate {
					return []instruments.Rate{
						{Category: instruments.Internal, EffectiveFrom: "2016-01-01", Price: unit.Fen(base/2) * unit.Yuan},
						{Category: instruments.ExternalAcademic, EffectiveFrom: "2016-01-01", Price: unit.Fen(base*8/10) * unit.Yuan},
						{Category: instruments.EnterpriseUser, EffectiveFrom: "2016-01-01", Price: unit.Fen(base) * unit.Yuan},
						{Category: instruments.PartnerRegion, EffectiveFrom: "2016-01-01", Price: unit.Fen(base) * unit.Yuan},
					}
				}
				items = []instruments.ServiceItem{
					{Name: kd.name, Mode: instruments.Assisted, Unit: instruments.PerHour, Rates: rates(hour)},
					{Name: kd.caps, Mode: instruments.SampleSending, Unit: instruments.PerSample, Rates: rates(max(50, hour/3/10*10))},
				}
			}
			list = append(list, sqlstore.NewInstrument{Instrument: in, Items: items})
		}
		for i := 0; i < u.live; i++ {
			year := enrolYear()
			if i < u.new {
				year = 2023
			}
			add(classes[k], values[k], date(year), "", "")
			k++
		}
		reasons := []string{"报废", "信息有误"}
		for range u.removed23 {
			add(codes[r.IntN(len(codes))], 500_000+r.Int64N(1_000_000), date(enrolYear()), date(2023), reasons[r.IntN(2)])
		}
		for range u.removedEarly {
			y := 2016 + r.IntN(5)
			add(codes[r.IntN(len(codes))], 500_000+r.Int64N(1_000_000), date(y), date(y+1+r.IntN(2022-y)), reasons[r.IntN(2)])
		}
		all[ui] = list
	}
	return units, all, nil
}

// loadInstruments writes the units and instruments; the same seed loaded
// again changes nothing (units are kept by name, instruments by local id).
func loadInstruments(ctx context.Context, st *sqlstore.Store, seed uint64, prof instrumentProfile) (int, error) {
	units, lists, err := instrumentDataset(seed, prof)
	if err != nil {
		return 0, err
	}
	us := make([]instruments.Unit, len(units))
	for i, u := range units {
		us[i] = u.unit
	}
	stored, err := st.PutUnits(ctx, us)
	if err != nil {
		return 0, fmt.Errorf("demo: instrument units: %w", err)
	}
	n := 0
	for i, list := range lists {
		for j := range list {
			list[j].Instrument.UnitID = stored[i].ID
		}
		for k := 0; k < len(list); k += 1000 {
			if _, err := st.CreateInstruments(ctx, list[k:min(k+1000, len(list))], sqlstore.CreateOptions{SkipExisting: true}); err != nil {
				return n, fmt.Errorf("demo: instruments of %s: %w", stored[i].Name, err)
			}
		}
		n += len(list)
	}
	return n, nil
}
